"""Each prospect's phone kept as E.164 (`Prospect.phone_e164`, read in PHONE_REGION), by
every path that writes a prospect, so a dialer's call finds it with one indexed look-up
(docs/api.md#call-events)."""

import importlib

from django.apps import apps

from imports.framework import run_import
from pipeline import services
from pipeline.models import Prospect
from tests.factories import ProspectFactory
from tests.import_files import PROSPECT_HEADER, csv_bytes


def test_the_services_keep_the_number_as_e164(rep):
    prospect = services.prospect_create(by=rep, owner=rep, name="Lena", phone="(415) 555-0100")
    assert prospect.phone_e164 == "+14155550100"
    services.prospect_update(by=rep, prospect=prospect, phone="+44 20 7946 0958")
    prospect.refresh_from_db()
    assert prospect.phone_e164 == "+442079460958"
    services.prospect_update(by=rep, prospect=prospect, phone="")
    prospect.refresh_from_db()
    assert prospect.phone_e164 == ""


def test_a_number_without_its_country_is_read_in_the_phone_region(rep, settings):
    settings.PHONE_REGION = "GB"
    assert ProspectFactory(owner=rep, phone="020 7946 0958").phone_e164 == "+442079460958"
    assert ProspectFactory(owner=rep, phone="12").phone_e164 == ""


def test_the_importer_keeps_the_number_as_e164_on_create_and_update(rep):
    line = "P-1,Lucía Ortega,Ortega SL,lucia@ortega.example,{phone},,ana@example.com,2026-01-10"
    first = csv_bytes(PROSPECT_HEADER, line.format(phone="415-555-0100"))
    assert run_import("prospects", first, by=None).created == 1
    assert Prospect.objects.get().phone_e164 == "+14155550100"
    second = csv_bytes(PROSPECT_HEADER, line.format(phone="+34 600 000 001"))
    assert run_import("prospects", second, by=None).updated == 1
    assert Prospect.objects.get().phone_e164 == "+34600000001"


def test_the_migration_fills_the_prospects_already_there(rep):
    prospect = ProspectFactory(owner=rep, phone="+1 (415) 555-0100")
    Prospect.objects.filter(pk=prospect.pk).update(phone_e164="")
    migration = importlib.import_module("pipeline.migrations.0007_prospect_phone_e164")
    migration.fill_phone_e164(apps, None)
    prospect.refresh_from_db()
    assert prospect.phone_e164 == "+14155550100"
