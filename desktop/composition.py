"""The composition root: builds services on a store, bound to the signed-in rep, and hands
them to the window."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from zoneinfo import ZoneInfo

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

from desktop.account_matching import match_through
from desktop.change_sets import changing
from desktop.commands import CommandRunner
from desktop.crm_connection import CrmConnection
from desktop.dashboard_services import dashboard_services
from desktop.demo import DemoCrm
from desktop.meeting_services import meeting_services
from desktop.take_back import LastActions
from models import (
    closing,
    dayplan,
    deal_emails,
    drafts,
    emails,
    feedback,
    handoffs,
    opportunities,
    outbox_reasons,
    qualification,
    queue,
    reason_codes,
    references,
    reps,
    stranded_tasks,
    touches,
)
from models import deals as deal_moves
from models.cadence_config import queue_settings
from models.changes import LEAD_WORKED, NOTHING, Changed, Changes, Kind
from models.day_figures import day_figures
from models.hygiene import account_links, cleanup
from models.hygiene.apply import standardise_lead
from models.hygiene.merge import merge_leads
from models.hygiene.route_leads import route_leads
from models.imports.campaigns import campaign_names
from models.imports.export import export_leads
from models.imports.leads_import import ImportOptions, ImportReport, check_import, run_import
from models.imports.mapping import ColumnMapping
from models.imports.new_lead import NewLeadResult, create_lead
from models.imports.reading import CsvTable, read_table
from models.lead_edits import EDITABLE_LABELS, contact_details, save_contact_details
from models.leads import LeadDirectory
from models.qualification import QualificationContext
from models.qualification_summary import qualification_of
from models.records import DayBlockPlan, DayFigures
from models.reps import current_rep
from models.store.open import Store
from models.sync import conflicts, mail
from models.sync.status import sync_status
from views.background import Background
from views.catalogue_dialogs import CatalogueServices
from views.close_form import CloseServices
from views.deal_mail import DealMailServices
from views.email_composer import ComposerServices
from views.handoff_inbox import InboxServices
from views.import_dialog import ImportServices
from views.lead_fields_dialog import DemoServices, LeadEditServices
from views.leads_view import LeadEntryServices
from views.main_window import MainWindow, WindowServices
from views.marketing_views import MarketingServices
from views.new_lead_dialog import NewLeadServices
from views.opportunities_view import OpportunityServices
from views.pipeline_view import PipelineServices
from views.qualification_form import QualifyServices
from views.queue_view import DeskServices
from views.sync_view import SyncServices


def system_clock() -> datetime:
    return datetime.now(UTC)


def dial_uri(phone: str) -> str:
    """The URI a softphone takes the call from; the template is a setting."""
    return queue_settings().dial_uri_template.format(phone=phone.replace(" ", ""))


DEAL_MOVED = (Kind.OPPORTUNITY, Kind.OUTBOX)


def build_window(store: Store, background: Background,
                 clock: Callable[[], datetime] = system_clock,
                 demo: DemoCrm | None = None,
                 commands: CommandRunner | None = None) -> tuple[MainWindow, CrmConnection]:
    """The main window on ``store``, with its CRM connection, which closes with it (its sync
    process ends)."""
    crm = CrmConnection(store, clock)
    window = MainWindow(window_services(store, clock, crm, demo, commands), background)
    window.closed.connect(crm.close)
    return window, crm


def window_services(store: Store, clock: Callable[[], datetime] = system_clock,
                    connection: CrmConnection | None = None,
                    demo: DemoCrm | None = None,
                    commands: CommandRunner | None = None) -> WindowServices:
    rep = current_rep(store.sessions)
    rep_id, timezone = (rep.id, rep.timezone) if rep else (None, "UTC")
    zone = ZoneInfo(timezone)
    commands = commands or CommandRunner()

    def today() -> datetime:
        return clock().astimezone(zone)

    def day_plan() -> list[DayBlockPlan]:
        return dayplan.plan_day(store.sessions, rep_id, today().date(), timezone, clock())

    def figures(blocks: list[DayBlockPlan]) -> DayFigures:
        if rep_id is None:
            return DayFigures(0, 0, 0, 0, 0)
        midnight = today().replace(hour=0, minute=0, second=0, microsecond=0)
        return day_figures(store.sessions, rep_id, clock(), midnight, blocks)

    def start_block(block: DayBlockPlan) -> None:
        if rep_id is not None:
            dayplan.start_block(store.sessions, rep_id, today().date(), block.position, clock())

    def save_blocks(weekday: int | None, blocks: list[tuple[str, int, int | None]]) -> None:
        if rep_id is None:
            raise ValueError("Choose a rep for this profile first.")
        dayplan.save_blocks(store.sessions, rep_id, weekday, blocks)

    def log_touch(lead_id: str, kind: str, outcome: str | None, note: str | None,
                  follow_up_at: datetime | None) -> touches.TouchLogged:
        return touches.log_touch(store.sessions, lead_id, rep_id, kind, clock(), outcome, note,
                                 follow_up_at)

    directory = LeadDirectory(store.sessions)
    last_actions = LastActions(store.sessions)
    desk = DeskServices(
        work_list=lambda block, at: queue.work_list(store.sessions, rep_id or "", block, at),
        data_problems=lambda: cleanup.data_problems(store.sessions, rep_id or ""),
        lead_detail=directory.detail,
        log_touch=last_actions.touch(log_touch),
        snooze=last_actions.snooze(partial(touches.snooze, store.sessions)),
        take_back=last_actions.undo,
        dial_uri=dial_uri,
        open_link=lambda uri: QDesktopServices.openUrl(QUrl(uri)),
        now=clock,
        standardise=changing(partial(standardise_lead, store.sessions), Kind.LEAD, Kind.OUTBOX),
        merge=changing(lambda survivor, copy: merge_leads(store.sessions, survivor, [copy],
                                                          rep_id, clock()),
                       *LEAD_WORKED, records=lambda args, _v: list(args)),
        route=changing(lambda lead_id: "; ".join(
            d.explanation for d in route_leads(store.sessions, [lead_id], rep_id, clock())),
            *LEAD_WORKED),
        link_account=changing(partial(account_links.confirm_match, store.sessions),
                              Kind.LEAD, Kind.ACCOUNT, Kind.OUTBOX),
        create_account=changing(partial(account_links.create_account_for, store.sessions),
                                Kind.LEAD, Kind.ACCOUNT, Kind.OUTBOX),
        meetings=meeting_services(store.sessions, clock, rep_id),
    )
    def context(lead_id: str) -> QualificationContext | None:
        lead = directory.detail(lead_id)
        return qualification.qualification_context(store.sessions, lead) if lead else None

    qualify = QualifyServices(
        problems=lambda draft: qualification.check_draft(store.sessions, draft, today().date()),
        save=changing(lambda lead_id, draft: qualification.save_qualification(
            store.sessions, lead_id, draft, rep_id, clock()),
            *LEAD_WORKED, Kind.HANDOFF, Kind.DRAFT),
        load_draft=partial(drafts.load_draft, store.sessions, "qualification"),
        save_draft=changing(lambda lead_id, data: drafts.save_draft(
            store.sessions, "qualification", lead_id, data, clock()), Kind.DRAFT),
        discard_draft=changing(partial(drafts.discard_draft, store.sessions, "qualification"),
                               Kind.DRAFT),
    )
    inbox = InboxServices(
        aes=lambda: [(ae.id, ae.name) for ae in reps.team_members(store.sessions, "AE")],
        pending=lambda ae_id: handoffs.pending_for_ae(store.sessions, ae_id, clock()),
        detail=directory.detail,
        reject_reasons=lambda: reason_codes.choices(store.sessions, "reject"),
        accept=changing(lambda lead_id, ae_id, confirmed: handoffs.accept(
            store.sessions, lead_id, ae_id, clock(), confirmed),
                        *LEAD_WORKED, Kind.HANDOFF, Kind.OPPORTUNITY, Kind.ACCOUNT),
        criteria=lambda: list(handoffs.opportunity_criteria()),
        qualification=partial(qualification_of, store.sessions),
        reject=changing(lambda lead_id, ae_id, code, note: handoffs.reject(
            store.sessions, lead_id, ae_id, code, note, clock()), *LEAD_WORKED, Kind.HANDOFF),
        now=clock,
    )
    composer = ComposerServices(
        templates=lambda lead: emails.templates_for(store.sessions, lead.stage, lead.persona),
        values=lambda lead_id: emails.merge_values(store.sessions, lead_id, rep_id),
        send=changing(lambda lead_id, subject, body, delivery, as_html: emails.send_email(
            store.sessions, lead_id, rep_id, subject, body, delivery, clock(), as_html),
            *LEAD_WORKED),
        mailto=emails.mailto_uri,
    )
    deal_mail = DealMailServices(
        addressee=partial(deal_emails.deal_addressee, store.sessions),
        composer=ComposerServices(
            templates=lambda _deal: emails.templates_for(store.sessions, "Opportunity"),
            values=lambda deal_id: deal_emails.deal_merge_values(
                store.sessions, deal_id, rep_id, clock()),
            send=changing(lambda deal_id, subject, body, delivery, as_html:
                          deal_emails.send_deal_email(store.sessions, deal_id, rep_id, subject,
                                                      body, delivery, clock(), as_html),
                          Kind.TOUCH, Kind.OPPORTUNITY, Kind.OUTBOX),
            mailto=emails.mailto_uri,
            no_address="No one to write to on this deal: add a contact with an e-mail "
                       "address to its account.",
            preview_title="Preview with the deal's data"),
    )
    catalogue = CatalogueServices(
        reason_codes=partial(reason_codes.catalogue, store.sessions),
        save_reason_code=changing(partial(reason_codes.save_reason_code, store.sessions),
                                  Kind.CATALOGUE, Kind.OUTBOX),
        templates=partial(emails.templates_for, store.sessions),
        save_template=changing(partial(emails.save_template, store.sessions),
                               Kind.CATALOGUE, Kind.OUTBOX, records=lambda _a, _v: []),
        frameworks=lambda: list(qualification.frameworks()),
        framework=partial(qualification.framework_of, store.sessions),
        set_framework=changing(partial(qualification.set_team_framework, store.sessions),
                               Kind.CATALOGUE, records=lambda _a, _v: []),
    )
    close = CloseServices(
        products=partial(opportunities.products, store.sessions),
        reasons=partial(reason_codes.choices, store.sessions),
        settings=closing.close_settings,
        problems=partial(closing.check_draft, store.sessions),
        save=changing(lambda opportunity_id, draft: closing.close_opportunity(
            store.sessions, opportunity_id, draft, rep_id, clock()),
            Kind.OPPORTUNITY, Kind.ACCOUNT, Kind.OUTBOX, Kind.DRAFT, Kind.LEAD),
        load_draft=partial(drafts.load_draft, store.sessions, "close"),
        save_draft=changing(lambda opportunity_id, data: drafts.save_draft(
            store.sessions, "close", opportunity_id, data, clock()), Kind.DRAFT),
        discard_draft=changing(partial(drafts.discard_draft, store.sessions, "close"),
                               Kind.DRAFT),
    )
    deals = OpportunityServices(
        rows=lambda include_closed: opportunities.opportunities_for(
            store.sessions, rep_id if rep and rep.role == "AE" else None, today().date(),
            include_closed),
        detail=lambda opportunity_id: opportunities.opportunity_detail(
            store.sessions, opportunity_id, today().date()),
        deliveries=partial(closing.deliveries, store.sessions),
        create=changing(lambda name, close_on: opportunities.create_opportunity(
            store.sessions, name, None, rep_id, close_on, clock()), Kind.OPPORTUNITY,
            Kind.OUTBOX, records=lambda _a, created: [created]),
        close=close,
        mail=deal_mail,
    )
    pipeline = PipelineServices(
        groups=lambda include_closed: deal_moves.pipeline(
            store.sessions, rep_id if rep and rep.role == "AE" else None, today().date(),
            include_closed),
        open_stages=lambda: [s.stage for s in deal_moves.open_stages()],
        move=changing(lambda deal_id, stage: deal_moves.move_stage(
            store.sessions, deal_id, stage, rep_id, clock()), *DEAL_MOVED),
        step=changing(lambda deal_id, steps: deal_moves.step_stage(
            store.sessions, deal_id, steps, rep_id, clock()), *DEAL_MOVED),
        edit=changing(lambda deal_id, edit: deal_moves.edit_deal(
            store.sessions, deal_id, edit, rep_id, clock()), *DEAL_MOVED),
        changes=partial(deal_moves.changes_of, store.sessions),
        today=lambda: today().date(),
        mail=deal_mail,
    )
    marketing = MarketingServices(
        references=partial(references.reference_customers, store.sessions),
        uses=partial(references.uses_of, store.sessions),
        record_use=changing(lambda reference_id, kind, used_for, note: references.record_use(
            store.sessions, reference_id, kind, used_for, rep_id, clock(), note),
            Kind.REFERENCE, Kind.OUTBOX),
        feedback=partial(feedback.product_feedback, store.sessions),
    )
    crm = connection or CrmConnection(store, clock)
    sync = SyncServices(
        outbox=partial(outbox_reasons.outbox_for_screen, store.sessions),
        conflicts=partial(outbox_reasons.conflicts_for_screen, store.sessions),
        resolve=changing(lambda conflict_id, choice, edited: conflicts.resolve(
            store.sessions, conflict_id, choice, clock(), edited),
            Kind.CONFLICT, Kind.OUTBOX, Kind.LEAD, Kind.OPPORTUNITY, Kind.ACCOUNT),
        sync_now=crm.sync_now,
        crm_url=crm.url,
        sync_news=crm.follow,
        unsure_emails=partial(mail.unsure_emails, store.sessions),
        resend_email=changing(partial(mail.resend, store.sessions), Kind.OUTBOX,
                              records=lambda _a, _v: []),
        stranded=partial(stranded_tasks.stranded_tasks, store.sessions),
        drop_stranded=partial(stranded_tasks.drop_stranded, store.sessions),
    )
    def new_lead(values: dict[str, str], create_anyway: bool) -> Changed[NewLeadResult]:
        if rep_id is None:
            raise ValueError("Choose a rep for this profile first.")
        result = create_lead(store.sessions, values, rep_id, clock(), create_anyway)
        # Problems to fix, or a known person to open instead, write nothing.
        return Changed(result, Changes.of(*LEAD_WORKED, records=[result.lead_id])
                       if result.lead_id else NOTHING)

    def import_rows(table: CsvTable, mapping: ColumnMapping, take_good_rows: bool,
                    route: bool) -> Changed[ImportReport]:
        if rep_id is None:
            raise ValueError("Choose a rep for this profile first.")
        report = run_import(store.sessions, table, mapping, ImportOptions(
            rep_id, clock(), take_good_rows=take_good_rows, route=route))
        return Changed(report, Changes.of(*LEAD_WORKED) if report.written else NOTHING)

    lead_entry = LeadEntryServices(
        new_lead=NewLeadServices(create=new_lead,
                                 campaigns=partial(campaign_names, store.sessions)),
        imports=ImportServices(read=read_table, check=partial(check_import, store.sessions),
                               run=import_rows),
        export=partial(export_leads, store.sessions),
    )
    return WindowServices(
        rep=rep,
        leads=directory,
        day_plan=day_plan,
        day_figures=figures,
        start_block=changing(start_block, Kind.DAY_PLAN, records=lambda _a, _v: []),
        load_blocks=partial(dayplan.blocks_of, store.sessions, rep_id),
        save_blocks=changing(save_blocks, Kind.DAY_PLAN, records=lambda _a, _v: []),
        desk=desk,
        qualify=qualify,
        qualification_context=context,
        inbox=inbox,
        composer=composer,
        catalogue=catalogue,
        opportunities=deals,
        pipeline=pipeline,
        dashboard=dashboard_services(store, clock, rep, sync_now=lambda: crm.sync_now()),
        marketing=marketing,
        sync=sync,
        sync_status=lambda: replace(sync_status(store.sessions, online=crm.online),
                                    secrets_warning=crm.secrets.warning),
        now=clock,
        lead_entry=lead_entry,
        match_accounts=lambda: _matched(match_through(commands, store, clock())),
        lead_edits=LeadEditServices(
            labels=EDITABLE_LABELS, values=partial(contact_details, store.sessions),
            save=partial(save_contact_details, store.sessions)),
        demo=DemoServices(demo.other_user, demo.crm_values, demo.change_in_crm)
        if demo else None,
        commands=commands,
    )


def _matched(done: account_links.MatchRefresh) -> str:
    if not done.rematched:
        return ""
    return (f"Accounts matched for {done.rematched:,} leads: "
            f"{done.matched + done.linked:,} sure, {done.low_confidence:,} to confirm, "
            f"{done.unmatched:,} without one ({done.seconds:.1f} s).")
