"""Every environment variable Raporto reads, declared once: its name, type, default and meaning.

`Environment` is a pydantic-settings model with one `Field` per variable, declared in two groups
it inherits: `raporto.settings_deployment` (mode, storage, address, secrets, providers) and
`raporto.settings_operations` (limits, retention, logs, alerts, monitoring). The variable's name is
the field's alias (the deployment interface: never rename one), its default is the field's
default, and its description is the text of the README's configuration table, which
`scripts/settings_table` generates from these declarations (tests/test_settings_docs.py fails
when the README differs). `raporto.settings.load` is the only caller: it reads the environment
through `Environment.read`, turns validation errors into `ConfigError` and derives `Settings`.

One parser per kind of value: a blank variable (empty or spaces) counts as unset; a flag is
1/true/yes/on or 0/false/no/off (any case); a count is a positive integer. Validation messages
name the variable and never contain a secret's value.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import SecretStr, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from raporto.settings_deployment import DeploymentVariables
from raporto.settings_operations import OperationVariables


# Pydantic orders fields by the reversed MRO: the group listed last is declared first, and the
# README's table (and `variables()`) keep that order.
class Environment(OperationVariables, DeploymentVariables):
    """The environment variables, parsed and validated; build with `Environment.read(env)`."""

    model_config = SettingsConfigDict(
        case_sensitive=True,
        extra="ignore",
        frozen=True,
        validate_default=False,
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Only what `read` passes: no .env file, no secrets folder, no implicit os.environ.
        return (init_settings,)

    @classmethod
    def read(cls, env: Mapping[str, str]) -> Environment:
        """Parse the variables of `env` (raises pydantic's ValidationError)."""
        return cls(**_MappingSource(cls, env)())

    @classmethod
    def variables(cls) -> dict[str, FieldInfo]:
        """Each variable's name and declaration, in declaration order."""
        return {info.alias: info for info in cls.model_fields.values() if info.alias}

    @property
    def production(self) -> bool:
        return self.raporto_env.strip().lower() == "production"

    def given(self, name: str) -> str:
        """The text set for variable `name`, or "" when it was unset or empty."""
        for field_name, info in type(self).model_fields.items():
            if info.alias == name:
                if field_name not in self.model_fields_set:
                    return ""
                value = getattr(self, field_name)
                return value.get_secret_value() if isinstance(value, SecretStr) else str(value)
        raise KeyError(name)


def required_in_production() -> tuple[str, ...]:
    """The variables production refuses to start without, in declaration order."""
    return tuple(
        name
        for name, info in Environment.variables().items()
        if isinstance(info.json_schema_extra, dict)
        and info.json_schema_extra.get("required_in_production")
    )


class _MappingSource(EnvSettingsSource):
    """pydantic-settings' environment source, over a given mapping instead of os.environ."""

    def __init__(self, settings_cls: type[BaseSettings], env: Mapping[str, str]) -> None:
        self._mapping = env
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        # A blank variable (empty or only spaces, as `NAME=` in an env file) counts as unset.
        return {k: v for k, v in self._mapping.items() if v.strip()}


def describe(error: ValidationError) -> str:
    """One clause per invalid variable, naming it; pydantic's input values are left out."""
    lines = []
    for problem in error.errors(include_input=False, include_url=False):
        name = str(problem["loc"][0]) if problem["loc"] else "the environment"
        cause = (problem.get("ctx") or {}).get("error")
        custom = problem["type"] == "value_error" and cause
        why = str(cause) if custom else f"is invalid: {problem['msg']}"
        lines.append(f"{name} {why}")
    return "; ".join(lines)
