"""SalesTrack in English, Spanish and Simplified Chinese (docs/i18n.md): which language a
page is written in, the profile page that chooses it, numbers and dates as each language
writes them, and the files that stay machine-formatted whatever the language."""

import csv
import io
import json
import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from core.formats import amount, money, percent, whole
from dashboards import charts
from dashboards.metrics import FunnelCounts, funnel
from quotas import periods
from quotas.labels import date_range_name, period_name
from tests.factories import ActivityFactory, OpportunityFactory, ProspectFactory, default_stages

ES, ZH, EN = "es", "zh-hans", "en-gb"


def _lang(response) -> str:
    match = re.search(r'<html lang="([^"]+)">', response.content.decode())
    assert match, "no <html lang> on the page"
    return match[1]


# Which language a page is written in ---------------------------------------------------


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("es-ES,es;q=0.9,en;q=0.5", ES),
        ("zh-CN,zh;q=0.9", ZH),
        ("zh-Hans", ZH),
        ("en-US,en;q=0.9", EN),  # any English is British English
        ("de-DE,de;q=0.9", EN),  # a language SalesTrack does not have: English
        ("", EN),
    ],
)
def test_before_any_choice_the_browser_decides(client, db, header, language):
    response = client.get(reverse("login"), headers={"accept-language": header})

    assert _lang(response) == language
    assert response["Content-Language"] == language


def test_djangos_own_words_come_from_its_spanish_catalogue(client, db):
    response = client.post(
        reverse("login"), {"username": "", "password": ""}, headers={"accept-language": "es"}
    )
    assert "Este campo es obligatorio." in response.content.decode()


def test_a_signed_in_persons_language_beats_the_browser(client, rep):
    rep.language = ES
    rep.save()
    client.force_login(rep)

    response = client.get(reverse("profile"), headers={"accept-language": "zh-CN"})

    assert _lang(response) == ES
    # …and is remembered in the language cookie, for the sign-in page after signing out.
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == ES


def test_without_a_choice_a_signed_in_person_follows_the_browser(client, rep):
    client.force_login(rep)

    response = client.get(reverse("profile"), headers={"accept-language": "zh-CN"})

    assert _lang(response) == ZH
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_the_sign_in_pages_switcher_sets_the_language_without_script(client, db):
    page = client.get(reverse("login")).content.decode()
    # One submit button a language, each named in itself, in a form to set_language.
    assert f'action="{reverse("set_language")}"' in page
    for code, name in (("en-gb", "English"), ("es", "Español"), ("zh-hans", "简体中文")):
        assert f'name="language" value="{code}" lang="{code}"' in page
        assert f">{name}</button>" in page
    assert 'value="en-gb" lang="en-gb" class="link-button" aria-pressed="true"' in page

    response = client.post(
        reverse("set_language"),
        {"language": ES, "next": reverse("login")},
        headers={"accept-language": "zh-CN"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == ES
    # The cookie beats Accept-Language from then on.
    again = client.get(reverse("login"), headers={"accept-language": "zh-CN"})
    assert _lang(again) == ES
    assert 'value="es" lang="es" class="link-button" aria-pressed="true"' in again.content.decode()


def test_a_language_not_offered_is_ignored(client, db):
    client.post(reverse("set_language"), {"language": "de", "next": "/"})

    assert _lang(client.get(reverse("login"))) == EN


# The profile page ---------------------------------------------------------------------


def test_the_profile_page_is_in_the_user_menu_of_every_page(client, rep):
    client.force_login(rep)

    page = client.get(reverse("dashboards:leaderboard")).content.decode()

    assert f'<a href="{reverse("profile")}">Your profile</a>' in page


def test_the_profile_page_saves_the_name_and_the_language(client, rep):
    client.force_login(rep)
    page = client.get(reverse("profile")).content.decode()
    assert 'name="full_name"' in page
    assert 'value="Ana García"' in page
    assert f'href="{reverse("password_change")}"' in page

    response = client.post(reverse("profile"), {"full_name": "Ana G. López", "language": ES})

    assert response.status_code == 302
    rep.refresh_from_db()
    assert (rep.full_name, rep.language) == ("Ana G. López", ES)
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == ES
    following = client.get(response["Location"], headers={"accept-language": "en"})
    assert _lang(following) == ES
    assert 'value="es" selected' in following.content.decode()


def test_following_the_browser_again_forgets_the_language_cookie(client, rep):
    rep.language = ZH
    rep.save()
    client.force_login(rep)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = ZH

    response = client.post(reverse("profile"), {"full_name": rep.full_name, "language": ""})

    rep.refresh_from_db()
    assert rep.language == ""
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == ""  # deleted
    assert _lang(client.get(reverse("profile"), headers={"accept-language": "es"})) == ES


def test_the_profile_page_refuses_an_empty_name_or_an_unknown_language(client, rep):
    client.force_login(rep)

    response = client.post(reverse("profile"), {"full_name": "", "language": "de"})

    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"full_name", "language"}
    rep.refresh_from_db()
    assert (rep.full_name, rep.language) == ("Ana García", "")


# Numbers and dates as each language writes them ----------------------------------------


@pytest.mark.parametrize(
    ("language", "money_2", "money_0", "negative", "grouped", "share", "no_symbol"),
    [
        (EN, "€1,234.56", "€1,235", "−$300", "1,234,568", "4.4\u00a0%", "1,234.56\u00a0CHF"),
        # A no-break space (U+00A0) between a Spanish number and its sign: never broken.
        (
            ES,
            "1.234,56\u00a0€",
            "1.235\u00a0€",
            "−300\u00a0$",
            "1.234.568",
            "4,4\u00a0%",
            "1.234,56\u00a0CHF",
        ),
        (ZH, "€1,234.56", "€1,235", "−$300", "1,234,568", "4.4%", "1,234.56\u00a0CHF"),
    ],
)
def test_numbers_read_as_the_language_writes_them(
    language, money_2, money_0, negative, grouped, share, no_symbol
):
    with translation.override(language):
        assert amount(Decimal("1234.56"), "EUR", places=2) == money_2
        assert amount(Decimal("1234.56"), "EUR") == money_0  # half up: 1234.56 → 1235
        assert amount(Decimal("-300"), "USD") == negative
        assert amount(Decimal("1234.56"), "CHF", places=2) == no_symbol
        assert whole(Decimal("1234567.5")) == grouped
        assert percent(0.044) == share
        # Files never change: a decimal point, no grouping.
        assert money(Decimal("1234.56")) == "1234.56"


def test_the_template_filters_follow_the_active_language(db):
    template = Template(
        "{% load metrics %}{{ value|amount:2 }} · {{ value|whole }} · {{ rate|pct }}"
    )
    context = Context({"value": Decimal("1234.56"), "rate": 0.6667})
    rendered = {}
    for language in (EN, ES, ZH):
        with translation.override(language):
            rendered[language] = template.render(context)

    assert rendered[EN] == "€1,234.56 · 1,235 · 66.7\u00a0%"
    assert rendered[ES] == "1.234,56\u00a0€ · 1.235 · 66,7\u00a0%"
    assert rendered[ZH] == "€1,234.56 · 1,235 · 66.7%"


@pytest.mark.parametrize(
    ("language", "day", "month", "quarter", "within_month", "across_months", "across_years"),
    [
        (
            EN,
            "7 Dec 2026",
            "December 2026",
            "Q4 2026",
            "3–21 Nov 2026",
            "28 Nov – 5 Dec 2026",
            "28 Dec 2026 – 3 Jan 2027",
        ),
        (
            ES,
            "7 dic 2026",
            "diciembre de 2026",
            "T4 2026",
            "3–21 nov 2026",
            "28 nov – 5 dic 2026",
            "28 dic 2026 – 3 ene 2027",
        ),
        (
            ZH,
            "2026年12月7日",
            "2026年12月",
            "2026年第4季度",
            "2026年11月3日–21日",
            "2026年11月28日 – 12月5日",
            "2026年12月28日 – 2027年1月3日",
        ),
    ],
)
def test_dates_and_periods_read_as_the_language_writes_them(
    language, day, month, quarter, within_month, across_months, across_years
):
    with translation.override(language):
        assert date_format(date(2026, 12, 7)) == day
        assert date_range_name(date(2026, 12, 7), date(2026, 12, 7)) == day
        assert period_name(periods.month(2026, 12)) == month
        assert period_name(periods.quarter(2026, 4)) == quarter
        assert date_range_name(date(2026, 11, 3), date(2026, 11, 21)) == within_month
        assert date_range_name(date(2026, 11, 28), date(2026, 12, 5)) == across_months
        assert date_range_name(date(2026, 12, 28), date(2027, 1, 3)) == across_years


@pytest.mark.parametrize(
    ("language", "day", "weekday", "stamp"),
    [
        (EN, "7 Dec 2026", "Mon 7 Dec", "7 Dec 2026, 14:05"),
        (ES, "7 dic 2026", "lun 7 dic", "7 dic 2026, 14:05"),
        (ZH, "2026年12月7日", "12月7日 星期一", "2026年12月7日 14:05"),
    ],
)
def test_pages_dates_read_in_the_readers_order_and_words(language, day, weekday, stamp):
    """Templates write `dated:"j M Y"` as English reads it; each language's format module
    turns it into its own order (core/dates.py)."""
    template = Template('{{ d|dated:"j M Y" }}|{{ d|dated:"D j M" }}|{{ t|dated:"j M Y, H:i" }}')
    context = Context({"d": date(2026, 12, 7), "t": datetime(2026, 12, 7, 14, 5)})
    with translation.override(language):
        assert template.render(context) == f"{day}|{weekday}|{stamp}"


def test_ids_and_form_values_are_never_grouped():
    """USE_THOUSAND_SEPARATOR stays off: an id in a URL or a form reads 12345 in every
    language; only the formatters for people group thousands."""
    assert not settings.USE_THOUSAND_SEPARATOR
    template = Template("{{ pk }} {{ amount }}")
    with translation.override(ES):
        assert template.render(Context({"pk": 12345, "amount": 12345})) == "12345 12345"


@pytest.mark.parametrize(
    ("language", "separators", "calls", "connects", "month", "quota", "monday"),
    [
        (EN, ".,", "1,234", "617 · 50.0\u00a0%", "Dec 2026", "Quota 5,000", "Mon"),
        (ES, ",.", "1.234", "617 · 50,0\u00a0%", "dic 2026", "Cuota 5.000", "lun"),
        (ZH, ".,", "1,234", "617 · 50.0%", "2026年12月", "配额 5,000", "星期一"),
    ],
)
def test_charts_write_numbers_and_months_as_the_language_does(
    language, separators, calls, connects, month, quota, monday
):
    result = funnel(
        FunnelCounts(
            calls=1234, connects=617, calls_by_weekday={"Mon": 4}, connects_by_weekday={"Mon": 1}
        )
    )
    with translation.override(language):
        steps = charts.funnel_chart(result)
        weekdays = charts.hit_rate_chart(result)
        forecast = charts.forecast_chart(
            [
                {
                    "month": periods.month(2026, 12),
                    "won": Decimal(1234),
                    "commit": Decimal(0),
                    "weighted": Decimal(0),
                    "quota": Decimal(5000),
                }
            ]
        )

    # Plotly's own numbers (ticks, hovers) with the language's separators…
    assert {steps["layout"]["separators"], forecast["layout"]["separators"]} == {separators}
    # …and the labels written here as core/formats.py writes them.
    assert steps["data"][0]["text"][:2] == [calls, connects]
    assert forecast["data"][0]["x"] == [month]
    assert forecast["layout"]["annotations"][0]["text"] == quota  # "Quota" until translated
    assert weekdays["data"][0]["x"][0] == monday


# Files stay machine-formatted ----------------------------------------------------------


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize(
    "url", ["/activities/?format=csv", "/team/?team={team}&format=csv", "/leaderboard/?format=csv"]
)
def test_a_csv_downloaded_in_spanish_or_chinese_is_the_english_one(client, manager, rep, url):
    stages = default_stages()
    prospect = ProspectFactory(owner=rep)
    ActivityFactory(rep=rep, prospect=prospect, date=date.today())
    OpportunityFactory(
        prospect=prospect,
        amount=Decimal("1234.56"),
        stage=stages["Won"],
        status="won",
        closed_on=date.today(),
    )
    url = url.format(team=rep.team_id)
    client.force_login(manager)

    files = {
        language: _csv(client.get(url, headers={"accept-language": language}))
        for language in ("en", "es", "zh-CN")
    }

    assert files["es"] == files["en"]
    assert files["zh-CN"] == files["en"]
    cells = [cell for row in files["es"][1:] for cell in row]
    assert all("," not in cell for cell in cells if re.fullmatch(r"[\d.,]+", cell)), cells
    if "activities" in url:
        assert date.today().isoformat() in cells
    else:
        assert "1234.56" in cells


FORM_MODULES = [
    "activities.forms",
    "dashboards.forms",
    "pipeline.forms",
    "quotas.forms",
    "users.forms",
    "api.forms",
    "webhooks.forms",
]


def test_every_visible_form_field_has_a_label_to_translate():
    """A plain form field without `label=` shows its English field name ("Outcome") in
    every language: each must name itself with a marked string (a model form's fields take
    their model field's translated verbose name)."""
    import importlib
    import inspect

    from django import forms

    unlabelled = []
    for module_name in FORM_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, forms.BaseForm) or cls.__module__ != module_name:
                continue
            unlabelled += [
                f"{module_name}.{name}.{field_name}"
                for field_name, field in cls.base_fields.items()
                if field.label is None and not field.widget.is_hidden
            ]
    assert unlabelled == []


@pytest.mark.parametrize(("language", "word"), [("es", "Resultado"), ("zh_Hans", "结果")])
def test_without_msgfmt_the_catalogues_compile_with_polib(tmp_path, language, word):
    """`make install` on a machine without GNU gettext compiles with polib
    (scripts/compile_catalogues.py): the .mo it writes translates as msgfmt's would."""
    import gettext
    import shutil

    from scripts.compile_catalogues import compile_catalogue

    po = tmp_path / "django.po"
    shutil.copy(settings.BASE_DIR / "locale" / language / "LC_MESSAGES" / "django.po", po)
    with compile_catalogue(po).open("rb") as mo:
        catalogue = gettext.GNUTranslations(mo)
    assert catalogue.gettext("Outcome") == word


def test_the_polib_fallback_refuses_a_placeholder_the_message_lacks(tmp_path):
    from scripts.compile_catalogues import compile_catalogue

    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '#, python-format\nmsgid "Hello %(name)s"\nmsgstr "Hola %(nombre)s"\n',
        encoding="utf-8",
    )
    with pytest.raises(SystemExit, match="Hello"):
        compile_catalogue(po)


def test_every_page_loads_the_javascript_catalogue_of_its_language_from_a_cacheable_url(
    client, rep
):
    """docs/i18n.md#javascript: the language is in the catalogue's path and the compiled
    catalogues' version in its query, so browsers keep it and pages do not wait on it."""
    from salestrack.catalogue import VERSION

    rep.language = "es"
    rep.save(update_fields=["language"])
    client.force_login(rep)
    page = client.get(reverse("activities:my_day")).content.decode()
    url = f"{reverse('javascript-catalog', args=['es'])}?v={VERSION}"
    assert f'<script src="{url}" defer></script>' in page

    answer = client.get(url)
    assert answer.status_code == 200
    assert "max-age=31536000" in answer["Cache-Control"]
    assert "immutable" in answer["Cache-Control"]
    # The words of the language in its path, whoever reads it.
    chinese = client.get(reverse("javascript-catalog", args=["zh-hans"])).content.decode()
    spanish = answer.content.decode()
    assert json.dumps("La nota vuelve a caber en el límite.") in spanish
    assert json.dumps("备注长度已符合要求。") in chinese
    assert json.dumps("备注长度已符合要求。") not in spanish


def test_a_javascript_catalogue_of_a_language_we_do_not_speak_is_not_found(client, db):
    assert client.get(reverse("javascript-catalog", args=["de"])).status_code == 404


@pytest.mark.parametrize(
    ("chosen", "browser", "subject"),
    [
        ("es", "en-GB", "Establece tu contraseña de SalesTrack"),
        ("zh-hans", "es", "设置你的SalesTrack密码"),
        ("", "es", "Establece tu contraseña de SalesTrack"),
        ("", "en-GB", "Set your SalesTrack password"),
    ],
)
def test_the_password_reset_email_is_in_its_readers_language(client, rep, chosen, browser, subject):
    """Asked for from a page in any language, the email reads in the language the person
    chose; a person who chose none reads the page's language."""
    from django.core import mail

    rep.language = chosen
    rep.save(update_fields=["language"])
    client.post(reverse("password_reset"), {"email": rep.email}, HTTP_ACCEPT_LANGUAGE=browser)
    assert [message.subject for message in mail.outbox] == [subject]
