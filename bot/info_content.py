"""Information topics for people at risk: safe migration, warning signs, rights, children.

Each topic has a title, a body short enough for a phone screen (Telegram and voice), a shorter
text for SMS (at most two segments once folded to ASCII) and the next step it leads to. Texts are
message ids translated on display with `locales.i18n.gettext`; wording is neutral and never asks
anyone to contact a child's family or to go to the police.
"""

from __future__ import annotations

from dataclasses import dataclass

from locales.i18n import N_


@dataclass(frozen=True)
class Topic:
    """One information topic and the step it leads to (a Telegram callback)."""

    key: str
    title: str
    sms_label: str
    body: str
    sms: str
    next_label: str
    next_action: str


CHECK_OFFER = N_("Check a job offer")
REPORT = N_("Report something")
SERVICES = N_("Services near me")

TOPICS: tuple[Topic, ...] = (
    Topic(
        "abroad",
        N_("Before you go abroad for work"),
        N_("Work abroad"),
        N_(
            "A real job offer comes with a written contract in a language you understand: the "
            "employer, the address, the work, the hours and the pay. Use only licensed employment "
            "agencies: ask to see the licence and check it on the ministry's list. Keep your "
            "passport and documents yourself and leave copies with someone you trust. Tell them "
            "where you will be and who you will work for, and agree how often you will call. "
            "Abroad, the Albanian embassy or consulate can help you."
        ),
        N_(
            "Before work abroad: get a written contract (employer, address, pay). Use only "
            "licensed agencies. Keep your own passport. Tell someone you trust where you go. "
            "Free advice: 116 006."
        ),
        CHECK_OFFER,
        "job:start",
    ),
    Topic(
        "signs",
        N_("Warning signs of a false offer"),
        N_("Warning signs"),
        N_(
            "Be careful if: the pay is much higher than usual for easy work; there is no written "
            "contract or the work is vague; you must pay a fee or take on a debt to leave; "
            "someone else keeps your passport or tickets; you are pushed to decide fast or to "
            'tell no one. The "lover" method: a new boyfriend or fiancé quickly promises '
            "marriage or a better life abroad, cuts you off from family and friends, then asks "
            'you to "help" him with money. Talk to someone you trust before you decide.'
        ),
        N_(
            "Warning signs: pay too good to be true, no written contract, fees or debts, someone "
            "keeps your passport, pressure to decide fast. A new partner who promises a life "
            "abroad and cuts you off from family. Free advice: 116 006."
        ),
        CHECK_OFFER,
        "job:start",
    ),
    Topic(
        "what",
        N_("What trafficking is and is not"),
        N_("What trafficking is"),
        N_(
            "Trafficking is when someone recruits, moves or holds a person by force, threats, "
            "deception or by abusing their difficult situation, in order to exploit them: for "
            "sex, forced work, begging or crime. For a child under 18, no force or deception is "
            "needed. It happens inside Albania too, and to men as well as women. Crossing a "
            "border illegally with a smuggler is not trafficking in itself, and neither is sex "
            "work a person freely chooses. Leaving legally with a passport does not mean you "
            "are safe."
        ),
        N_(
            "Trafficking: someone uses force, threats or deception to exploit a person (sex, "
            "forced work, begging). For a child under 18 no force is needed. Smuggling or freely "
            "chosen sex work alone is not trafficking."
        ),
        REPORT,
        "menu:report",
    ),
    Topic(
        "rights",
        N_("Your rights"),
        N_("Your rights"),
        N_(
            "You have the right to help whether or not you report the trafficker or talk to the "
            "police. You are not punished for offences you were forced to commit. You have the "
            "right to free legal aid, to health care paid by the state and to a safe place to "
            "stay. A foreign victim has at least 30 days to recover and decide, and may stay in "
            "Albania during that time. Your identity is kept confidential."
        ),
        N_(
            "Your rights: help even if you report no one; no punishment for offences you were "
            "forced to commit; free legal aid; health care; 30 days to reflect for foreigners. "
            "Free line 116 006."
        ),
        SERVICES,
        "svc:menu",
    ),
    Topic(
        "children",
        N_("Children"),
        N_("Children"),
        N_(
            "Anyone under 18 is a child. A child who works, begs or travels with adults who are "
            "not their parents or guardians may be at risk. Adults: do not confront the people "
            "involved; note what you saw, where and when, and tell us here or call 116 006; if "
            "the child is in danger, call 112. Children and young people: you can talk for free, "
            "without giving your name, to the child helpline ALO 116 111 (number not yet "
            "confirmed), or write to us here. It is not your fault."
        ),
        N_(
            "Children: a child who works, begs or travels with adults who are not their parents "
            "may be at risk. Do not confront anyone; tell us or call 116 006; danger: 112. Child "
            "helpline ALO 116 111 (not yet confirmed)."
        ),
        REPORT,
        "menu:report",
    ),
    Topic(
        "after",
        N_("What happens after you report"),
        N_("After you report"),
        N_(
            "Your message reaches trained officials of the Responsible Authority at once. They "
            "decide what to do, often together with the police and social services. You do not "
            "need to give your name. Keep your reference code: write it here or by SMS to add "
            "information. For the safety of the people involved, officials do not share details "
            "of the case with you. If someone is in danger now, call 112."
        ),
        N_(
            "After you report: trained officials receive it at once and decide what to do. No "
            "name needed. Send your code with new information to add it. Danger now: 112."
        ),
        REPORT,
        "menu:report",
    ),
)

BY_KEY = {topic.key: topic for topic in TOPICS}
