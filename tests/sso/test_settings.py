"""Single sign-on settings: read from CIVICLY_OIDC_*, and production refuses a half or clear-text setup."""
from civicly.config import check_settings, load_settings

SSO = {"OIDC_ISSUER": "https://id.sante.gov.sn/realms/agents", "OIDC_CLIENT_ID": "civicly",
       "OIDC_CLIENT_SECRET": "s" * 40, "PUBLIC_URL": "https://civicly.sante.gov.sn"}


def production(**overrides):
    return {"ENV_NAME": "production", "SECRET_KEY": "k" * 64, "DATABASE_URL": "postgresql+psycopg://c@db/c",
            "DEBUG": False, "MODEL_SIGNING_KEY": "m" * 64, **SSO, **overrides}


def test_settings_come_from_the_environment(tmp_path):
    settings = load_settings(tmp_path, {"CIVICLY_OIDC_ISSUER": " https://id.sante.gov.sn/realms/agents/ ",
                                        "CIVICLY_OIDC_CLIENT_ID": "civicly", "CIVICLY_OIDC_LABEL": "Sénégal Connect"})
    assert settings["OIDC_ISSUER"] == "https://id.sante.gov.sn/realms/agents"
    assert settings["OIDC_CLIENT_ID"] == "civicly" and settings["OIDC_LABEL"] == "Sénégal Connect"
    assert load_settings(tmp_path, {})["OIDC_ISSUER"] == ""


def test_a_complete_https_setup_has_no_problems():
    assert check_settings(production(), workers=4) == []
    assert check_settings(production(OIDC_ISSUER="", OIDC_CLIENT_SECRET=""), workers=4) == []  # single sign-on off


def test_production_refuses_a_provider_without_client_credentials():
    assert "CIVICLY_OIDC_CLIENT_SECRET" in check_settings(production(OIDC_CLIENT_SECRET=""), workers=4)[0]


def test_production_refuses_single_sign_on_over_plain_http():
    assert "https://" in check_settings(production(OIDC_ISSUER="http://id.sante.gov.sn"), workers=4)[0]
    assert "CIVICLY_PUBLIC_URL" in check_settings(production(PUBLIC_URL="http://civicly.sante.gov.sn"), workers=4)[0]
