"""Information topics for people at risk: safe migration, warning signs, rights, children.

Each topic has a title, a body short enough for a phone screen (Telegram and voice), a shorter
text for SMS (at most two segments once folded to ASCII) and the next step it leads to. Texts are
message ids translated on display with `locales.i18n.gettext`; wording is neutral and never asks
anyone to contact a child's family or to go to the police. Facts carry their legal basis (the
Criminal Code article, the convention and the law that ratified it); a number no document
confirms is not given (the child helpline waits for ONAC, in the services directory).
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
            "agencies: ask to see the licence, and before you pay or sign anything ask the free "
            "line 116 006 whether the agency is licensed. Keep your "
            "passport and documents yourself and leave copies with someone you trust. Tell them "
            "where you will be and who you will work for, and agree how often you will call. "
            "Abroad, the Albanian embassy or consulate can help you."
        ),
        N_(
            "Before work abroad: get a written contract (employer, address, pay). Use only "
            "licensed agencies: ask 116 006 (free) whether an agency is licensed. Keep your own "
            "passport. Tell someone you trust where you go."
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
            "sexual exploitation, forced work, begging or crime. For a child under 18, no force "
            "or deception is needed. It happens inside Albania too, and to men as well as women. "
            "Crossing a border illegally with a smuggler is migrant smuggling, not trafficking "
            "in itself. Sex work is not trafficking in itself either, although in Albania it is "
            "punishable by law; but a person in sex work who is controlled, threatened or "
            "deceived may be a victim of trafficking and has the right to help. Leaving legally "
            "with a passport does not mean you are safe."
        ),
        N_(
            "Trafficking: someone exploits a person (sexually, for work or begging) by force, "
            "threats or deception; for a child, no force is needed. Migrant smuggling or sex "
            "work alone is not trafficking, but anyone in sex work who is controlled or deceived "
            "may be a victim and can get help."
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
            "police. A victim of trafficking is not punished for offences committed because "
            "they were trafficked (Criminal Code, article 52/a); this does not cover every "
            "offence, and a lawyer can tell you for free what applies to you. You have the right "
            "to free legal aid, to health care paid by the state and to a safe place to stay. A "
            "foreign victim has a reflection period of at least 30 days to recover and decide, "
            "and may stay in Albania during that time whether or not they testify (Council of "
            "Europe Convention on Action against Trafficking in Human Beings, ratified by Law "
            "9642/2006). Your identity is kept confidential."
        ),
        N_(
            "Your rights: help even if you report no one; no punishment for offences committed "
            "because you were trafficked (Criminal Code 52/a; ask a lawyer, free); free legal "
            "aid; health care; at least 30 days to reflect for foreign victims. Free line 116 006."
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
            "the child is in danger, call 112 or 129. Children and young people: you can write "
            "to us here without giving your name, or call the free line 116 006. It is not your "
            "fault."
        ),
        N_(
            "Children: a child who works, begs or travels with adults who are not their parents "
            "may be at risk. Do not confront anyone; tell us or call 116 006; danger: 112 or 129. "
            "Children can write to us without giving a name."
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
            "of the case with you. If someone is in danger now, call 112 or 129."
        ),
        N_(
            "After you report: trained officials receive it at once and decide what to do. No "
            "name needed. Send your code with new information to add it. Danger now: 112 or 129."
        ),
        REPORT,
        "menu:report",
    ),
)

BY_KEY = {topic.key: topic for topic in TOPICS}
