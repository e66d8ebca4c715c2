"""Generate the sample ticket ledger ``samples/tickets.csv`` (generic CSV format of DESIGN.md).

Deterministic: the same seed always gives the same file. Standard library only.

    python samples/generate_tickets.py [--seed 20260831] [--out samples/tickets.csv]
    python samples/generate_tickets.py --recent [--today DATE] [--config fixloop.toml] --out FILE

Twelve weeks of tickets, Monday 2026-08-31 to Sunday 2026-11-22 (UTC), from an internal IT
help desk and a customer support desk, with eight recurring root causes whose stories are
described in samples/README.md and in CAUSES below. With --recent the same ledger is moved
by whole weeks so that its last week is the last full week before today: a demo never looks stale.
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

UTC = timezone.utc
START = datetime(2026, 8, 31, tzinfo=UTC)  # a Monday
DAYS = 84  # 12 weeks
LAST_CREATED = datetime(2026, 11, 22, 23, 0, tzinfo=UTC)
HORIZON = datetime(2026, 11, 23, tzinfo=UTC)  # nothing happens at or after this instant
DEFAULT_SEED = 20260831
HERE = Path(__file__).resolve().parent

COLUMNS = [
    "id", "created_at", "surface", "subject", "text", "requester", "priority", "agents",
    "first_bot_reply_at", "first_human_reply_at", "resolved_at", "resolution", "article_id",
    "reopened_at", "closed_at", "escalated_at", "escalated_to", "escalation_judgement",
    "escalation_judged_at", "cause", "cause_title", "cause_owner", "root_cause_at", "fix_url",
    "fix_shipped_at", "csat", "csat_at", "affected_users",
]

AGENTS = ["ana", "ben", "chen", "dara", "eli", "fay"]
AGENT_WEIGHTS = [20, 19, 18, 16, 15, 12]
TEAMS = ["it-network", "it-identity", "it-endpoint", "it-access", "billing", "customer-auth",
         "data-platform", "integrations"]
INTERNAL_TEAMS = TEAMS[:4] + ["data-platform"]
EXTERNAL_TEAMS = TEAMS[4:] + ["it-identity"]


def ts(dt: datetime | None) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ") if dt else ""


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return START + timedelta(days=day, hours=hour, minutes=minute)


# --------------------------------------------------------------------------- fillers

OFFICES = [("London", "LON"), ("Berlin", "BER"), ("Lisbon", "LIS"), ("New York", "NYC"),
           ("Austin", "AUS"), ("Dublin", "DUB"), ("Singapore", "SIN")]
COMPANIES = {
    "acme": "Acme Corp", "globex": "Globex", "initech": "Initech", "umbrella": "Umbrella Health",
    "hooli": "Hooli", "stark": "Stark Logistics", "wayne": "Wayne Retail", "wonka": "Wonka Foods",
    "cyberdyne": "Cyberdyne Systems", "soylent": "Soylent Labs", "tyrell": "Tyrell Bio",
    "vandelay": "Vandelay Imports", "pied-piper": "Pied Piper", "aperture": "Aperture Science",
    "oscorp": "Oscorp", "massive": "Massive Dynamic", "gringotts": "Gringotts Finance",
    "duff": "Duff Beverages", "nakatomi": "Nakatomi Trading", "monarch": "Monarch Media",
    "blueth": "Bluth Homes", "dunder": "Dunder Paper", "prestige": "Prestige Worldwide",
    "sterling": "Sterling Cooper", "zorg": "Zorg Industries", "octan": "Octan Energy",
    "northwind": "Northwind Traders", "contoso": "Contoso Travel", "fabrikam": "Fabrikam",
    "tailspin": "Tailspin Toys", "litware": "Litware", "adatum": "Adatum Clinics",
}
COMPANY_KEYS = sorted(COMPANIES)

FILLERS: dict[str, Callable[[random.Random], str]] = {
    "app": lambda r: r.choice(["Jira", "Confluence", "Workday", "Salesforce", "Tableau", "Figma",
                               "GitHub", "NetSuite", "Miro", "Looker", "Greenhouse", "Snowflake",
                               "the AWS console", "Zendesk", "Gong", "DocuSign"]),
    "tool": lambda r: r.choice(["Visual Studio Code", "Tableau Desktop", "Docker Desktop", "Postman",
                                "Adobe Acrobat Pro", "PyCharm", "DBeaver", "Zoom", "Lucidchart",
                                "Snagit", "Python 3.12", "Power BI Desktop", "Camtasia"]),
    "device": lambda r: r.choice(['MacBook Pro 14"', "MacBook Air M2", "Dell Latitude 7440",
                                  "ThinkPad X1 Carbon", "Surface Laptop 5", "HP EliteBook 840",
                                  'MacBook Pro 16"', "Dell XPS 13"]),
    "asset": lambda r: f"LT-{r.choice(OFFICES)[1]}-{r.randint(100, 2999):04d}",
    "office": lambda r: r.choice(OFFICES)[0],
    "floor": lambda r: str(r.randint(2, 7)),
    "when": lambda r: r.choice(["this morning", f"since about {r.randint(8, 11)}:{r.choice(['00', '15', '30', '45'])}",
                                "since yesterday afternoon", "after the update last night", "since lunch",
                                "for the last hour", "since Monday", "all day today", "since I got in",
                                "on and off all week", "for about 20 minutes"]),
    "when_days": lambda r: r.choice(["yesterday", "two days ago", "on Monday", "last week",
                                     "three days ago", "on Friday"]),
    "win_err": lambda r: r.choice(["0x80070005", "0x87D1041C", "0x800F0922", "0x80004005",
                                   "0x87D13B9F", "0x80070643"]),
    "printer": lambda r: f"PRN-{r.choice(OFFICES)[1]}-{r.randint(2, 7)}F-0{r.randint(1, 4)}",
    "browser": lambda r: r.choice(["Chrome", "Firefox", "Edge", "Safari"]),
    "phone": lambda r: r.choice(["iPhone 15", "iPhone 13", "Pixel 8", "Galaxy S23", "Galaxy A54",
                                 "iPhone 14 Pro", "Pixel 7a"]),
    "deadline": lambda r: r.choice(["a customer call at 2", "the quarterly review tomorrow",
                                    "a board deck due today", "month-end close",
                                    "a demo in an hour", "payroll cut-off", "an audit request"]),
    "req": lambda r: f"REQ-{r.randint(51000, 61999)}",
    "n_days": lambda r: str(r.randint(2, 6)),
    "weeks": lambda r: str(r.randint(3, 8)),
    "room": lambda r: r.choice(["LON-4-Thames (8, VC)", "BER-2-Spree (6, VC)", "NYC-12-Hudson (10, VC)",
                                "LIS-3-Tejo (4)", "DUB-1-Liffey (12, VC)", "AUS-5-Colorado (6)"]),
    "mailbox": lambda r: r.choice(["finance@example.com", "recruiting@example.com", "legal@example.com",
                                   "partners@example.com", "support-escalations@example.com"]),
    "share": lambda r: r.choice(["Finance - Month End", "Marketing - Campaigns", "Sales - Enablement",
                                 "HR - Policies", "Product - Roadmap", "\\\\files.corp.example.com\\marketing",
                                 "Legal - Contracts", "Engineering - RFCs"]),
    "invoice": lambda r: f"INV-2026-{r.randint(1000, 9999):05d}",
    "amount": lambda r: r.choice(["$", "€", "£"]) + f"{r.choice([49, 99, 149, 249, 480, 1188, 2388, 4790, 960, 3120]):,}.00",
    "last4": lambda r: f"{r.randint(0, 9999):04d}",
    "date_short": lambda r: (START + timedelta(days=r.randint(0, 80))).strftime("%b %d").replace(" 0", " "),
    "plan": lambda r: r.choice(["Team", "Business"]),
    "seats": lambda r: str(r.choice([5, 10, 12, 25, 40, 60, 120])),
    "export_obj": lambda r: r.choice(["contacts", "deals", "activity log", "time entries", "audit log",
                                      "invoices list", "tickets", "projects with custom fields", "users"]),
    "rows": lambda r: r.choice(["120k", "250,000", "450k", "1.2 million", "300k", "80,000", "600k"]),
    "period": lambda r: r.choice(["Q3", "the last 12 months", "2025 and 2026", "September",
                                  "the whole year", "last quarter", "since January"]),
    "deadline_ext": lambda r: r.choice(["our board meeting", "an audit", "our month-end reporting",
                                        "a migration to our data warehouse", "a customer report due Friday",
                                        "a compliance review"]),
    "int_report": lambda r: r.choice(["customer usage", "churn risk", "seat utilisation", "ARR by region",
                                      "support volume", "license audit"]),
    "slack_channel": lambda r: r.choice(["#sales-alerts", "#support-escalations", "#deals-won",
                                         "#ops-notifications", "#cs-renewals", "#eng-incidents"]),
    "sf_error": lambda r: r.choice(["INVALID_SESSION_ID", "INSUFFICIENT_ACCESS_OR_READONLY",
                                    "FIELD_CUSTOM_VALIDATION_EXCEPTION", "STRING_TOO_LONG",
                                    "REQUEST_LIMIT_EXCEEDED"]),
    "sf_obj": lambda r: r.choice(["Opportunities", "Contacts", "Accounts", "Leads"]),
    "http": lambda r: r.choice(["401", "403", "500", "502", "timeout", "404"]),
    "api_err": lambda r: r.choice(["401 invalid_api_key", "403 insufficient_scope", "429 rate_limited"]),
    "vat": lambda r: r.choice(["DE", "FR", "NL", "GB", "IE", "ES"]) + str(r.randint(100000000, 999999999)),
    "country": lambda r: r.choice(["Germany", "France", "the Netherlands", "the UK", "Ireland", "Spain"]),
    "idp": lambda r: r.choice(["Okta", "Entra ID", "Google Workspace", "OneLogin"]),
}


def fill(rng: random.Random, template: str, extra: dict[str, str]) -> str:
    out, i = [], 0
    while i < len(template):
        j = template.find("{", i)
        if j < 0:
            out.append(template[i:])
            break
        k = template.index("}", j)
        out.append(template[i:j])
        name = template[j + 1:k]
        if name not in extra:  # one value per ticket, so the subject agrees with the text
            extra[name] = FILLERS[name](rng)
        out.append(extra[name])
        i = k + 1
    return "".join(out)


GREET = {
    "internal": ["", "", "", "Hi, ", "Hey team, ", "hi IT - ", "Morning! ", "Hello, ", "Hi all, "],
    "external": ["", "", "Hello, ", "Hi there, ", "Hi support team, ", "Good afternoon, ", "Hi, "],
}
CLOSE = {
    "internal": ["", "", "", " Thanks!", " Thanks in advance.", " Can someone help?",
                 " This is blocking me.", " Any ideas?", " Cheers", " ty"],
    "external": ["", "", " Thanks.", " Thank you in advance.", " Please advise.",
                 " Looking forward to your reply.", " Regards", " Can you help us?"],
}
PROPER = {"I", "I'm", "I've", "GlobalProtect", "Okta", "Outlook", "Salesforce", "Slack", "Excel",
          "Wi-Fi", "Corp-Secure", "Mac", "Google"}
URGENT = ["I have {deadline}.", "A whole team is blocked.", "This is stopping our work.",
          "Please treat as urgent."]


# --------------------------------------------------------------------------- topics

@dataclass
class Variant:
    """Messages one article answers. A text may start with "subject || " to fix its subject."""
    kb: str
    subjects: list[str]
    texts: list[str]


@dataclass
class Topic:
    key: str
    surface: str
    team: str  # where an escalation normally goes
    article_p: float  # chance the bot's article solves it (when the bot replied)
    variants: list[Variant]
    weight: float = 1.0


V = Variant
TOPICS = [
    # ---------------------------------------------------------------- internal
    Topic("vpn", "internal", "it-network", 0.35, [
        V("kb-vpn-reconnect",
          ["VPN keeps dropping", "GlobalProtect stuck on Connecting", "VPN disconnects every few minutes",
           "Can't reach internal sites over VPN", "VPN slow from home"],
          ["VPN keeps dropping || GlobalProtect keeps dropping the connection every 10 minutes or so {when}. I'm at home on fibre.",
           "VPN stuck on 'Connecting...' and then 'Unable to connect to the portal'. Tried twice, same thing.",
           "Can't reach internal sites over VPN || I'm connected to the VPN but {app} and the wiki time out. Normal websites load fine.",
           "Working from a hotel this week and the VPN won't come up at all. Wi-Fi works otherwise.",
           "VPN drops after sleep || VPN drops whenever my laptop goes to sleep and I have to restart GlobalProtect each time.",
           "Since switching to my phone hotspot the VPN disconnects constantly. {device}.",
           "The VPN is super slow today, file copies to the shared drive crawl along at a few KB/s."]),
    ], 1.0),
    Topic("wifi", "internal", "it-network", 0.45, [
        V("kb-wifi-office-connect",
          ["Can't join Corp-Secure", "Office Wi-Fi keeps asking for password", "No Wi-Fi in meeting room"],
          ["My laptop sees Corp-Secure but keeps asking for a password, and my SSO password doesn't work.",
           "Wi-Fi in room {room} drops every few minutes, people on the call lose audio.",
           "New laptop won't connect to Corp-Secure in the {office} office, says 'Can't connect to this network'.",
           "Wi-Fi dead spot on floor {floor} || Wi-Fi works at my desk but not on floor {floor} near the kitchen. Is there a dead spot?"]),
        V("kb-wifi-guest-access",
          ["Guest Wi-Fi for visitors", "Guest Wi-Fi code expired", "Wi-Fi for my personal phone"],
          ["I have 6 visitors from a partner coming in tomorrow to {office}, how do they get on the Wi-Fi?",
           "The guest Wi-Fi code I created yesterday says 'Code expired' for my visitor.",
           "How do I connect my personal phone to the office Wi-Fi? Corp-Secure refuses it.",
           "Wi-Fi for a workshop with guests || We're hosting a workshop with ~30 external people next week, can we get a Wi-Fi code for the event?"]),
    ], 0.8),
    Topic("mfa-phone", "internal", "it-identity", 0.45, [
        V("kb-mfa-new-phone",
          ["New phone, MFA setup", "Lost my phone - can't do MFA", "Okta Verify on new phone"],
          ["I got a new {phone} and wiped the old one before moving Okta Verify. Now I can't log in anywhere.",
           "How do I move Okta Verify to my new phone? Old one still works for now.",
           "Lost my phone on the train, so no MFA. I'm on my laptop but can't sign in to {app}.",
           "Broken phone - need MFA code || Phone screen broke, I can't approve Okta pushes. Need a temporary code please.",
           "Switched from Android to iPhone and Okta Verify didn't come over with the backup."]),
    ], 0.8),
    Topic("password", "internal", "it-identity", 0.55, [
        V("kb-password-reset-internal",
          ["Password expired", "Need a password reset", "Password change not syncing to laptop"],
          ["My password expired over the weekend and the laptop won't take the new one.",
           "Forgot my password after holiday. The reset page asks for MFA which is fine but then errors out.",
           "Changed my password this morning and now Outlook and Teams keep asking for it.",
           "Keychain password after reset || Mac keeps asking for the 'login keychain' password after my reset, which one do I use?",
           "Change password from home? || Password expiry reminder says 1 day left, can I change it from home without VPN?"]),
        V("kb-account-locked",
          ["Account locked", "Locked out again", "Keep getting locked out"],
          ["My account is locked - 'Your account is locked. Please contact your administrator'.",
           "I get locked out every couple of hours since I changed my password {when_days}.",
           "Locked out of Okta, I only typed the password wrong twice I think.",
           "Account locked and I'm presenting in {office} in 30 minutes, please unlock."]),
    ], 1.1),
    Topic("laptop", "internal", "it-endpoint", 0.3, [
        V("kb-laptop-slow",
          ["Laptop very slow", "Laptop freezing during calls", "Fan running constantly"],
          ["My {device} has become really slow, apps take ages to open and Zoom stutters.",
           "Laptop freezes for a few seconds every couple of minutes, especially in video calls.",
           "The fan is going constantly even with nothing open. {asset}.",
           "Disk is almost full and I can't find what's using it. Everything is sluggish.",
           "Laptop slow to boot || Since the last update the laptop takes 10 minutes to boot."]),
        V("kb-laptop-replacement",
          ["Broken laptop screen", "Laptop stolen", "Laptop refresh", "Keyboard not working", "Battery swelling"],
          ["Dropped my laptop and the screen is cracked, half of it is black. Asset {asset}.",
           "My laptop was stolen from my car last night. What do I need to do?",
           "Spilled coffee on the keyboard, several keys don't work anymore.",
           "I got the refresh email but the booking link doesn't work. My {device} is 4 years old.",
           "Battery says 'Service recommended' and the trackpad is bulging up. Should I keep using it?",
           "New starter laptop not arrived || I'm a new starter in {office} and my laptop hasn't arrived yet, starting Monday."]),
    ], 1.3),
    Topic("printer", "internal", "it-endpoint", 0.5, [
        V("kb-printer-queue-stuck",
          ["Print job stuck", "Badge not working at printer", "Printer says no jobs"],
          ["Printer says no jobs || I tap my badge at {printer} and it says 'No jobs' but I just printed.",
           "My print job is stuck as 'Spooling' for 20 minutes.",
           "Badge not working at printer || New badge from reception, the printer says 'Card not registered'.",
           "Paper jam on floor {floor} || The printer on floor {floor} has a paper jam message and nobody can print.",
           "Print job never arrived || Printed a 200 page PDF and it never showed up at the printer."]),
    ], 0.7),
    Topic("software", "internal", "it-endpoint", 0.5, [
        V("kb-software-install-request",
          ["Software install", "Need admin rights", "Install stuck on Pending", "New software request"],
          ["Install {tool} || Can I get {tool} installed? I can't find it in Company Portal.",
           "Install stuck on Pending || {tool} has been 'Pending' in Company Portal for an hour.",
           "{tool} install error {win_err} || Install of {tool} fails with error {win_err}, tried twice.",
           "I need admin rights to install a driver for a USB device, how do I do that?",
           "Screen recording tool || Is there an approved tool for screen recording? Need it for training videos.",
           "Licence for {tool} || Need a licence for {tool}, my manager already said yes."]),
    ], 1.3),
    Topic("email", "internal", "it-endpoint", 0.45, [
        V("kb-email-outlook-sync",
          ["Outlook not syncing", "Outlook working offline", "Missing emails", "Mailbox full",
           "Shared mailbox not showing"],
          ["Outlook says 'Working offline' and no new mail {when}. Phone gets mail fine.",
           "I'm missing emails in desktop Outlook that I can see in Outlook on the web.",
           "Got a warning that my mailbox is almost full. What can I delete?",
           "Calendar invites missing or duplicated || Calendar invites I accept don't show up in my calendar, and some meetings appear twice.",
           "I was given access to {mailbox} but it doesn't show up in Outlook."]),
        V("kb-calendar-room-booking",
          ["Room booking declined", "Room display wrong", "Calendar delegation", "Video bar not starting call"],
          ["Room {room} keeps declining my meeting even though it looks free.",
           "How do I give my assistant access to manage my calendar?",
           "The room display in {room} shows 'Available' but I booked it.",
           "The video bar in {room} doesn't start the Teams call when I tap the meeting.",
           "Ghost booking in {room} || There's a weekly booking in {room} from someone who left the company, can it be removed?"]),
    ], 1.1),
    Topic("access", "internal", "it-access", 0.5, [
        V("kb-access-request-app",
          ["Access to {app}", "Need access to {app}", "Which role do I request?"],
          ["I need access to {app} for a new project, how do I request it?",
           "Which role should I pick for read-only access to {app}?",
           "I moved to the {office} team and need {app} access like my colleagues have.",
           "My manager is on leave, who else can approve my {app} request?",
           "Can I get temporary admin access to {app} for a migration this week?"]),
    ], 1.0),
    Topic("shared-drive", "internal", "it-access", 0.5, [
        V("kb-shared-drive-access",
          ["Access to shared drive", "Access denied on team site", "OneDrive sync errors"],
          ["I can't open the '{share}' site, it says 'You need access'. Who owns it?",
           "I requested access to {share} three days ago and nobody answered.",
           "OneDrive sync errors || Synced library shows red crosses on a bunch of files.",
           "Still getting 'Access denied' on {share} even though the owner says I'm added."]),
        V("kb-shared-drive-restore",
          ["Deleted file by mistake", "Restore previous version", "Folder disappeared"],
          ["Deleted folder by mistake || I accidentally deleted a folder in {share}, can it be restored?",
           "Someone overwrote our planning spreadsheet this morning, can we get yesterday's version back?",
           "A whole folder of project files disappeared from my OneDrive.",
           "Restore an old deleted file || Need a file from the old file share that was deleted about two months ago."]),
    ], 0.9),
    # ---------------------------------------------------------------- external
    Topic("invoices", "external", "billing", 0.6, [
        V("kb-billing-invoice-download",
          ["Where are our invoices?", "Invoice PDF needed", "Missing invoice", "Change invoice address"],
          ["Where can I download our invoices? Our finance team needs the PDFs for {period}.",
           "Can't see Billing menu || I can't see the Billing menu, how do I get invoice {invoice}?",
           "We need the company address changed on invoice {invoice}, it shows our old office.",
           "Send invoices to our AP mailbox || Can you send invoices automatically to our accounts payable mailbox?",
           "Missing invoice || We were charged on {date_short} but there is no invoice for that month."]),
        V("kb-billing-vat-tax-id",
          ["VAT number on invoice", "Tax exemption", "VAT charged incorrectly"],
          ["We are a business in {country}, please add our VAT number {vat} and remove the VAT.",
           "VAT number rejected || The VAT field says 'Invalid VAT number' for {vat} but it is valid in VIES.",
           "VAT charged incorrectly || We were charged VAT on the last two invoices although our VAT ID is on file.",
           "How do we upload our US sales tax exemption certificate?"]),
    ], 1.2),
    Topic("refunds", "external", "billing", 0.35, [
        V("kb-billing-refund-policy",
          ["Refund request", "Cancel subscription", "Refund for unused seats", "Annual plan refund"],
          ["We renewed annually by mistake {when_days}, can we get a refund? We wanted monthly.",
           "How do I cancel our subscription? We're moving to another tool at the end of the month.",
           "We removed 10 users, will we get money back for the unused seats?",
           "Refund request || Please refund invoice {invoice}, we didn't use the product at all this month.",
           "Data export after cancelling || If we cancel, can we still export our data afterwards?"]),
    ], 0.9),
    Topic("payment", "external", "billing", 0.5, [
        V("kb-billing-update-payment-method",
          ["Payment failed", "Update credit card", "Account past due", "Pay by bank transfer"],
          ["Our payment failed and there's a 'Past due' banner, the card is valid though.",
           "How do I update the credit card? The old one ends in {last4} and expired.",
           "Payment failed || Our bank blocked the renewal of {amount}, how do we retry?",
           "Can we pay by bank transfer instead of card? We're on the annual {plan} plan.",
           "Account past due || Workspace became read-only, we need to pay the overdue invoice {invoice} right away."]),
    ], 1.0),
    Topic("plan", "external", "billing", 0.55, [
        V("kb-plan-upgrade",
          ["Upgrade to {plan}", "Add seats", "Downgrade plan", "Business trial", "Prorated charge question"],
          ["We want to upgrade to {plan} for {seats} users, how is the price calculated mid-month?",
           "How do we add {seats} more seats to our plan?",
           "Downgrade plan || If we downgrade from Business to Team, do we lose our audit logs?",
           "Business trial || Can we trial the Business plan before upgrading? We need SSO.",
           "SSO missing after upgrade || We upgraded but SSO settings are still greyed out.",
           "Why was I charged {amount} today? We only added a few users."]),
    ], 0.9),
    Topic("login", "external", "customer-auth", 0.55, [
        V("kb-customer-password-reset",
          ["Password reset email not arriving", "Can't log in", "Account locked", "Reset link expired"],
          ["I requested a password reset three times and no email arrived.",
           "The reset link says it's expired even though I clicked it right away.",
           "Can't log in, says too many attempts. I'm sure my password is right.",
           "One of our users never gets the reset email, probably our Mimecast filter?",
           "Two accounts, can't log in || I think I have two accounts with different emails and can't get into the right one."]),
    ], 1.2),
    Topic("2fa", "external", "customer-auth", 0.45, [
        V("kb-customer-2fa-lost-device",
          ["Lost 2FA device", "2FA codes rejected", "New phone, 2FA", "Reset 2FA for a user"],
          ["Lost 2FA device || I lost my phone and with it the authenticator app. I don't have recovery codes.",
           "My 2FA codes are always 'Invalid code' {when}.",
           "I got a new {phone}, how do I move my 2FA?",
           "Only owner locked out by 2FA || I'm the only owner of our workspace and locked out by 2FA. What do you need from me?",
           "One of our admins left and nobody can reset her 2FA, how do we get her account back?"]),
    ], 0.9),
    Topic("sso", "external", "customer-auth", 0.4, [
        V("kb-customer-sso-login",
          ["SAML error", "SSO login broken", "User not assigned error", "SSO redirect loop"],
          ["After our IdP certificate rotation, SSO says 'SAML response not valid: signature mismatch'.",
           "New employees get 'User not assigned to this application' when signing in with {idp}.",
           "SSO login goes into a redirect loop in {browser}.",
           "Owner locked out after enforcing SSO || We enforced SSO and now the owner can't get in to change settings.",
           "SSO 'Request expired' error || Getting 'Request expired' on SSO login for some of our users on {idp}."]),
    ], 0.8),
    Topic("export-format", "external", "data-platform", 0.6, [
        V("kb-export-xlsx-formatting",
          ["CSV shows weird characters", "Export dates wrong", "Leading zeros lost in export"],
          ["The exported CSV shows names like 'MÃ¼ller' in Excel.",
           "Export opens in one column || When I open the export in Excel everything is in column A.",
           "Dates in the {export_obj} export come out as numbers or with day and month swapped.",
           "Our zip codes lose the leading zero when we open the export."]),
        V("kb-export-scheduled",
          ["Scheduled export to S3", "Scheduled export failing", "Set up daily export"],
          ["How can we set up a daily export of {export_obj} to our S3 bucket?",
           "Our scheduled export to S3 fails with AccessDenied since {when_days}.",
           "SFTP export stopped || The SFTP scheduled export stopped, it says host key changed.",
           "Scheduled export files empty || Scheduled export files are empty since last week."]),
    ], 0.8),
    Topic("salesforce", "external", "integrations", 0.4, [
        V("kb-salesforce-sync-errors",
          ["Salesforce sync errors", "Salesforce not updating", "Salesforce {sf_error}"],
          ["Salesforce sync shows {sf_error} for a lot of {sf_obj}.",
           "{sf_obj} changed in Salesforce are not showing up on our side since {when_days}.",
           "Sync log full of errors after our Salesforce admin changed profiles.",
           "Some {sf_obj} not syncing || Some {sf_obj} never sync, others do. Is there a filter?",
           "Salesforce API limit reached || We hit the Salesforce API limit every afternoon because of the sync."]),
    ], 0.9),
    Topic("webhooks", "external", "integrations", 0.4, [
        V("kb-webhooks-failing",
          ["Webhooks not delivered", "Webhook endpoint disabled", "Webhook signature mismatch",
           "Duplicate webhook events"],
          ["Our webhook endpoint was disabled over the weekend, deliveries show {http}.",
           "Webhook signature mismatch || We can't verify the X-Example-Signature header, HMAC never matches.",
           "We receive the same webhook event two or three times.",
           "Webhooks not delivered || No webhook deliveries at all {when} although events happen in the app.",
           "Replay missed webhooks || How do we replay the webhooks we missed during our outage?"]),
    ], 0.8),
    Topic("api-keys", "external", "integrations", 0.55, [
        V("kb-api-keys-rotate",
          ["API key not working", "Rotate API key", "API key expired", "Leaked API key"],
          ["API key not working || Our integration suddenly gets {api_err} from the API.",
           "How do we rotate our API key without downtime?",
           "Our API key expired on Saturday and our nightly sync failed, nobody got the warning email.",
           "Leaked API key || We accidentally pushed an API key to a public repo, what should we do?",
           "API rate limit (429) || Getting 429s from the API during our nightly import."]),
    ], 0.7),
    Topic("members", "external", "customer-auth", 0.6, [
        V("kb-account-members-roles",
          ["Invite not received", "Transfer ownership", "Change user role", "Remove a user"],
          ["I invited {seats} colleagues but they say the invitation email never arrived.",
           "Our workspace owner left the company, how do we transfer ownership?",
           "Change user role || How do I make someone an admin without giving them billing access?",
           "We need to remove a user who left today, immediately.",
           "Allow sign-up by domain || Can people with our company email join without an invite?"]),
    ], 1.0),
    Topic("profile", "external", "customer-auth", 0.65, [
        V("kb-account-email-change",
          ["Change my email", "Company domain change", "Too many notification emails", "Change time zone"],
          ["Change my email || I need to change my login email, our company rebranded.",
           "We're changing our domain for all {seats} users, do they each need new accounts?",
           "How do I turn off the daily digest emails?",
           "Reports show times in the wrong time zone.",
           "Delete my account || How do I delete my account?"]),
    ], 0.8),
]
TOPIC_BY_KEY = {t.key: t for t in TOPICS}


# --------------------------------------------------------------------------- causes

@dataclass
class Cause:
    key: str
    title: str
    owner: str
    internal_share: float  # share of its tickets on the internal surface
    rate: Callable[[int], float]  # expected tickets on working day d (weekends get a fraction)
    variants: dict[str, list[Variant]]  # per surface
    article_p: float
    root_cause_at: datetime | None = None
    fix_url: str = ""
    fix_shipped_at: datetime | None = None
    fix_wait_days: float = 0.0  # tickets created this close before the fix mostly wait for it
    priority_weights: tuple[int, int, int, int] = (10, 66, 19, 5)
    affected: tuple[float, int, int] = (0.0, 0, 0)  # probability, min, max
    window: Callable[[random.Random, int], datetime] | None = None
    extra: dict = field(default_factory=dict)


def ramp(d: int, start: int, end: int, lo: float, hi: float) -> float:
    if d < start or d > end:
        return 0.0
    return lo + (hi - lo) * (d - start) / max(1, end - start)


def vpn_rate(d: int) -> float:
    if d < 2:
        return 0.0
    if d <= 31:
        return ramp(d, 2, 31, 1.5, 3.3)
    return {32: 1.0, 36: 1.0, 43: 1.0, 52: 0.5}.get(d, 0.0)  # laptops back from leave


def sso_rate(d: int) -> float:
    if d < 4:
        return 0.0
    if d <= 66:
        return 1.25 + 0.25 * math.sin(d / 5)
    return 0.15 if d <= 72 else 0.0


def billing_rate(d: int) -> float:
    if d < 11:
        return 0.0
    if d <= 45:
        return ramp(d, 11, 45, 1.4, 2.1)
    return 0.2 if d <= 51 else 0.0


def csv_rate(d: int) -> float:
    return 0.4 + 3.1 * (d / 83) ** 1.4


PATCH_TUESDAYS = (8, 43, 71)


def printer_rate(d: int) -> float:
    for p, size in zip(PATCH_TUESDAYS, (7.0, 10.0, 11.0)):
        if d == p:
            return size
        if d == p + 1:
            return size * 0.5
        if d == p + 2:
            return size * 0.15
    return 0.2


def slack_rate(d: int) -> float:
    return 0.0 if d < 19 else 1.0 + 0.3 * ((d // 7) % 2)


def access_rate(d: int) -> float:
    return 1.05


def wifi_rate(d: int) -> float:
    return {50: 1.0, 51: 0.8, 52: 1.0, 57: 17.0}.get(d, 0.0)


def wifi_window(rng: random.Random, d: int) -> datetime:
    if d == 57:  # the outage morning in London
        return at(d, 8, 35) + timedelta(minutes=rng.uniform(0, 170))
    return at(d, 9) + timedelta(minutes=rng.uniform(0, 420))


def printer_window(rng: random.Random, d: int) -> datetime:
    if d in PATCH_TUESDAYS:  # the overnight driver push hits as people start printing
        return at(d, 7, 40) + timedelta(minutes=rng.uniform(0, 560))
    return working_time(rng, d)


CAUSES = [
    Cause(
        "vpn-cert-expiry", "VPN client certificates not renewed on managed laptops", "it-network", 1.0,
        vpn_rate,
        {"internal": [V("kb-vpn-certificate-expired",
                        ["VPN certificate error", "GlobalProtect: valid client certificate is required",
                         "Can't connect to VPN - cert expired", "VPN refuses connection", "VPN error 0x0000FE0A"],
                        ["GlobalProtect says \"Valid client certificate is required\" when I try to connect {when}. Colleagues next to me are fine. Laptop is {asset}.",
                         "VPN won't connect, it shows certificate expired (error 0x0000FE0A). Working from home and can't reach {app}.",
                         "The VPN has been rejecting me right after I type my password {when}: \"The server certificate is invalid\". Rebooted twice already.",
                         "My {device} can't get on the VPN, the error mentions the client certificate. Company Portal sync didn't help.",
                         "Getting a cert error on GlobalProtect. I was on leave for {weeks} weeks and now nothing works remotely.",
                         "Three of us in the {office} team can't connect to the VPN, all get 'no valid client certificate'. Happening {when}.",
                         "VPN: certificate expired popup, then it disconnects. I need {app} for {deadline}.",
                         "Can't connect to vpn.example.com - \"certificate expired\". I tried Refresh Connection. Asset tag {asset}.",
                         "GlobalProtect error 0x0000FE0A on my {device}, the certificate in certmgr shows expired last week."])]},
        0.38,
        root_cause_at=datetime(2026, 9, 10, 14, 20, tzinfo=UTC),
        fix_url="https://jira.example.com/browse/NET-412",
        fix_shipped_at=datetime(2026, 10, 1, 16, 5, tzinfo=UTC),
        fix_wait_days=9, priority_weights=(5, 58, 30, 7), affected=(0.08, 5, 40),
    ),
    Cause(
        "sso-mfa-push-timeout", "MFA push delivery slower than the 60 s sign-in timeout", "it-identity", 0.55,
        sso_rate,
        {"internal": [V("kb-sso-mfa-push-not-received",
                        ["Okta push not arriving", "MFA verification timed out", "Okta Verify push delayed",
                         "Can't sign in - MFA timeout"],
                        ["Okta Verify push never arrives, the login page says 'Your verification timed out'. Tried 4 times {when}.",
                         "Okta Verify push delayed || MFA push comes through about a minute late, after the sign-in page has already given up. Phone is a {phone}.",
                         "Okta push not arriving || I can't sign in to {app}: Okta sends the push, my phone gets nothing, then timeout.",
                         "MFA timeouts again. I approve the push on my {phone} but the browser says verification timed out.",
                         "Push notifications from Okta are really slow today, I keep getting sent back to the login screen.",
                         "Okta Verify push delayed || Okta push arrived 90 seconds after I clicked 'Send push', by then the page had expired. {office} office."])],
         "external": [V("kb-customer-sso-login",
                        ["2FA push times out", "Login fails at MFA step", "MFA prompt expired", "Sign-in push not received"],
                        ["Our users get 'MFA verification timed out' when signing in {when}. The push arrives late or never.",
                         "Login fails after the MFA step - the page times out before the push shows up on my {phone}.",
                         "Several people at {company} can't log in: they approve the push but get 'Request expired'.",
                         "The sign-in hangs on the push prompt {when} and then times out. Codes work, push doesn't.",
                         "Is there an issue with 2FA push? Our team has been kicked back to the login page all morning."])]},
        0.42,
        root_cause_at=datetime(2026, 10, 14, 10, 40, tzinfo=UTC),
        fix_url="https://jira.example.com/browse/IAM-233",
        fix_shipped_at=datetime(2026, 11, 5, 9, 30, tzinfo=UTC),
        fix_wait_days=6, priority_weights=(6, 60, 27, 7), affected=(0.06, 10, 150),
    ),
    Cause(
        "billing-double-charge", "Renewal retry and manual 'Pay now' both capture the card", "billing", 0.0,
        billing_rate,
        {"external": [V("kb-billing-double-charge",
                        ["Charged twice", "Duplicate charge on renewal", "Double payment for {invoice}",
                         "Refund duplicate payment"],
                        ["We were charged twice for invoice {invoice} - two payments of {amount} on {date_short}. Please refund one.",
                         "Our card statement shows {amount} twice from EXAMPLE CLOUD on the same day. The renewal failed first, then went through twice?",
                         "Duplicate charge on renewal || Double charge on our renewal. The payments page shows two successful payments for the same invoice.",
                         "Our finance team noticed a duplicate charge of {amount} (card ending {last4}). Can you look into it?",
                         "I clicked Pay now after the renewal failed and now we've been charged twice.",
                         "Double payment for {invoice} || Duplicate payment for {invoice}. Our controller wants to know why this happened.",
                         "The renewal email said payment failed, so I paid by card manually. Now the bank shows two charges of {amount}."])]},
        0.12,
        root_cause_at=datetime(2026, 10, 6, 15, 10, tzinfo=UTC),
        fix_url="https://github.com/example/app/pull/944",
        fix_shipped_at=datetime(2026, 10, 15, 13, 0, tzinfo=UTC),
        fix_wait_days=0, priority_weights=(3, 55, 35, 7), affected=(0.0, 0, 0),
    ),
    Cause(
        "csv-export-timeout", "Large CSV/XLSX exports exceed the 60 s request timeout", "data-platform", 0.42,
        csv_rate,
        {"internal": [V("kb-admin-console-export",
                        ["Admin console export times out", "Report export fails (504)", "Can't export {int_report} report"],
                        ["Report export fails (504) || Exporting the {int_report} report from the admin console to CSV times out with a 504.",
                         "Can't export {int_report} from the admin console - 'Request timed out' after 60s. I need it for {deadline}.",
                         "The {int_report} export fails every time for {period}, smaller ranges work.",
                         "Export to Excel of the {int_report} data spins and then says something went wrong.",
                         "Tried exporting {int_report} three times today, always 504 Gateway Timeout."])],
         "external": [V("kb-export-csv-timeout",
                        ["CSV export fails", "Export timing out", "Export failed (504)", "XLSX export never finishes",
                         "Can't export {export_obj}"],
                        ["Exporting our {export_obj} to CSV fails with 'Export failed (504)' after about a minute. It's around {rows} rows.",
                         "Export button spins then fails || The export button just spins and then says 'Something went wrong'. Trying to export {export_obj} for {period}.",
                         "CSV export of {export_obj} keeps timing out. We need it for {deadline_ext}.",
                         "XLSX export never finishes, smaller date ranges work. Is there a limit on rows?",
                         "Export to CSV keeps failing for our larger reports {when}. Error 504.",
                         "Export file incomplete || The downloaded CSV of {export_obj} is cut off, it's incomplete compared to what we see in the app.",
                         "We export {export_obj} every month for {deadline_ext} and this month it fails every time."])]},
        0.4,
        root_cause_at=datetime(2026, 11, 3, 11, 25, tzinfo=UTC),
        priority_weights=(8, 62, 25, 5), affected=(0.03, 5, 30),
    ),
    Cause(
        "printer-driver-push", "Patch Tuesday device update replaces the FollowMe printer driver", "it-endpoint", 1.0,
        printer_rate,
        {"internal": [V("kb-printer-driver-install",
                        ["Printer prints garbage", "Printing random characters", "Driver is unavailable",
                         "Blank pages from printer", "Can't print since update"],
                        ["Printer prints pages of random characters {when}. It's the FollowMe queue on floor {floor}.",
                         "Printer prints garbage || Printing gives garbage - lines of PCL code and symbols. Started after the Windows update.",
                         "Settings shows 'Driver is unavailable' for FollowMe after last night's update.",
                         "Everyone on floor {floor} in {office} gets blank pages from the printers today.",
                         "My print jobs come out as weird text. Printer {printer}.",
                         "Can't print anything since the update, the job goes through but prints symbols.",
                         "FollowMe printer duplicated || FollowMe printer shows up twice now ('Copy 1') and neither prints properly."])]},
        0.45,
        root_cause_at=datetime(2026, 10, 16, 12, 0, tzinfo=UTC),
        fix_url="https://jira.example.com/browse/ENDPT-87",
        fix_shipped_at=datetime(2026, 11, 12, 15, 45, tzinfo=UTC),
        fix_wait_days=3, priority_weights=(14, 66, 17, 3), affected=(0.15, 5, 30),
        window=printer_window,
    ),
    Cause(
        "slack-app-token-expiry", "Slack integration does not refresh rotating OAuth tokens", "integrations", 0.0,
        slack_rate,
        {"external": [V("kb-slack-integration-reconnect",
                        ["Slack notifications stopped", "Slack integration token_expired", "Slack app keeps disconnecting",
                         "Slack commands dispatch_failed"],
                        ["Slack notifications stopped || We haven't had any Slack notifications {when}. The integration page shows 'token_expired'.",
                         "The Slack integration keeps disconnecting - we reconnect it and after a day or two it says token_expired again.",
                         "Slack notifications stopped || No alerts in {slack_channel} {when}. The Slack integration status is red.",
                         "/example commands in Slack return 'dispatch_failed'. We reconnected twice this week already.",
                         "Slack app keeps disconnecting || The Slack app stops posting every couple of days. Why does the token keep expiring?",
                         "Slack integration invalid_auth || Slack integration for {company} shows 'invalid_auth' again, third time this month."])]},
        0.3,
        root_cause_at=datetime(2026, 10, 23, 16, 30, tzinfo=UTC),
        fix_url="https://github.com/example/app/pull/981",
        priority_weights=(8, 64, 24, 4), affected=(0.05, 10, 80),
    ),
    Cause(
        "access-approval-stuck", "Access requests stuck after manager approval", "it-access", 1.0,
        access_rate,
        {"internal": [V("kb-access-approval-pending",
                        ["Access request stuck", "Request {req} still pending", "Approved but no access",
                         "Provisioning for days"],
                        ["My access request {req} for {app} is still 'Pending approval' although my manager approved it {when_days}.",
                         "Request {req} has been in Provisioning for {n_days} days. I need {app} for my onboarding tasks.",
                         "Approved but no access || Access to {app} was approved {when_days} but I still can't log in, the portal still says Provisioning.",
                         "My manager approved my request in Slack but the access portal shows pending. {req}.",
                         "Stuck access request for {app} ({req}) - who can push this through?",
                         "New joiner here, my {app} request is approved but nothing happens. It's been {n_days} days."])]},
        0.2,
        priority_weights=(8, 70, 19, 3),
    ),
    Cause(
        "wifi-dhcp-pool-exhausted", "London office Wi-Fi DHCP pool exhausted", "it-network", 1.0,
        wifi_rate,
        {"internal": [V("kb-wifi-office-connect",
                        ["Wi-Fi connected but no internet", "Office Wi-Fi down", "169.254 address on Wi-Fi"],
                        ["Wi-Fi on floor {floor} in London connects but there's no internet. Several of us.",
                         "Corp-Secure gives me a 169.254 address, can't get online. London office, floor {floor}.",
                         "No internet on the office Wi-Fi, the whole row around me is affected.",
                         "Is the Wi-Fi down in London? Laptop says connected, no internet.",
                         "Can't get on Wi-Fi in the London office, phone on guest works but laptop doesn't."])]},
        0.15,
        root_cause_at=datetime(2026, 10, 27, 11, 50, tzinfo=UTC),
        fix_url="https://jira.example.com/browse/NET-431",
        fix_shipped_at=datetime(2026, 10, 27, 12, 35, tzinfo=UTC),
        fix_wait_days=0.5, priority_weights=(0, 30, 50, 20), affected=(0.5, 20, 200),
        window=wifi_window,
    ),
]

NO_CAUSE_RATE = 4.1  # tickets per working day with no known cause
NO_CAUSE_INTERNAL = 0.5


# --------------------------------------------------------------------------- time helpers

HOUR_WEIGHTS = {8: 6, 9: 12, 10: 13, 11: 11, 12: 7, 13: 9, 14: 11, 15: 11, 16: 9, 17: 6}


def working_time(rng: random.Random, d: int) -> datetime:
    day = START + timedelta(days=d)
    if day.weekday() >= 5:
        hour = rng.randint(9, 19)
    elif rng.random() < 0.9:
        hour = rng.choices(list(HOUR_WEIGHTS), list(HOUR_WEIGHTS.values()))[0]
    else:
        hour = rng.choice([6, 7, 18, 19, 20, 21, 22])
    return day + timedelta(hours=hour, minutes=rng.randint(0, 59), seconds=rng.randint(0, 59))


def next_business(t: datetime) -> datetime:
    if t.weekday() < 5 and 8 <= t.hour < 18:
        return t
    day = t.replace(hour=8, minute=0, second=0)
    if t.weekday() < 5 and t.hour < 8:
        return day
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def lognorm(rng: random.Random, median: float, sigma: float) -> float:
    return median * math.exp(rng.gauss(0, sigma))


def minutes(m: float) -> timedelta:
    return timedelta(seconds=round(m * 60))


def hours(h: float) -> timedelta:
    return timedelta(seconds=round(h * 3600))


def steady_count(rng: random.Random, lam: float) -> int:
    """A count with mean lam but less noise than Poisson, so each cause's trend reads clearly."""
    whole = int(lam)
    return whole + (1 if rng.random() < lam - whole else 0)


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


# --------------------------------------------------------------------------- tickets

def requester(rng: random.Random, surface: str) -> str:
    if surface == "internal":  # a few dozen people ask far more often than the rest
        n = rng.randint(1, 40) * 11 if rng.random() < 0.3 else rng.randint(1, 480)
        return f"emp-{n:03d}"
    key = COMPANY_KEYS[min(len(COMPANY_KEYS) - 1, int(rng.expovariate(1 / 9)))]
    return f"cust-{key}-{rng.randint(1, 14)}"


STOP = {"the", "and", "for", "with", "not", "can't", "cant", "since", "from", "our", "your", "this",
        "that", "after", "does", "what", "when", "how", "need", "still", "but", "are", "was", "all",
        "get", "got", "new", "keeps", "again", "have", "just", "can", "one", "who", "why", "into"}


def stems(text: str) -> set[str]:
    words = "".join(c.lower() if c.isalnum() or c in "-'" else " " for c in text).split()
    return {w[:5] for w in words if len(w) > 2 and w not in STOP and not w.startswith("{")}


def pick_subject(rng: random.Random, subjects: list[str], template: str) -> str:
    """The subject that shares most words with the message; else the message's first words."""
    target = stems(template)
    scored = [(len(stems(s) & target), s) for s in subjects]
    best = max(score for score, _ in scored)
    if best:
        return rng.choice([s for score, s in scored if score == best])
    first = template.split(". ")[0].split(", ")[0].rstrip(".?!")
    words = first.split()
    return " ".join(words[:8]) + ("..." if len(words) > 8 else "")


def compose(rng: random.Random, surface: str, variant: Variant, req: str, priority: str) -> tuple[str, str]:
    extra = {}
    if surface == "external":
        extra["company"] = COMPANIES[req.split("-", 1)[1].rsplit("-", 1)[0]]
    template = rng.choice(variant.texts)
    subject_template, _, template = template.rpartition(" || ")
    body = fill(rng, template, extra)
    subject = fill(rng, subject_template or pick_subject(rng, variant.subjects, template), extra)
    greet = rng.choice(GREET[surface])
    first = body.split()[0]
    if greet.endswith(", ") and first[1:2].islower() and first not in PROPER and template[0] != "{":
        body = body[0].lower() + body[1:]
    close = rng.choice(CLOSE[surface])
    if priority == "urgent" and rng.random() < 0.7:
        close = " " + fill(rng, rng.choice(URGENT), extra)
    text = greet + body + close
    if surface == "internal" and rng.random() < 0.12:
        text = text.lower()
    return subject, text


def pick_agents(rng: random.Random, handoff_p: float) -> list[str]:
    first = rng.choices(AGENTS, AGENT_WEIGHTS)[0]
    if rng.random() < handoff_p:
        second = rng.choice([a for a in AGENTS if a != first])
        return [first, second]
    return [first]


def csat_score(rng: random.Random, agent: str | None, bad: bool, slow: bool) -> int:
    if bad:
        return rng.choices([1, 2, 3, 4], [30, 32, 25, 13])[0]
    weights = [3, 4, 9, 30, 54]
    if slow:
        weights = [6, 8, 16, 34, 36]
    if agent == "fay":
        weights = [w + b for w, b in zip(weights, [3, 5, 8, 2, -14])]
    elif agent == "ana":
        weights = [w + b for w, b in zip(weights, [-2, -2, -3, 0, 7])]
    return rng.choices([1, 2, 3, 4, 5], weights)[0]


def make_ticket(rng: random.Random, created: datetime, surface: str, cause: Cause | None,
                topic: Topic | None) -> dict[str, str]:
    row = {c: "" for c in COLUMNS}
    prio_w = cause.priority_weights if cause else (12, 68, 16, 4)
    priority = rng.choices(["low", "normal", "high", "urgent"], prio_w)[0]
    req = requester(rng, surface)
    if cause:
        variant = rng.choice(cause.variants[surface])
        article_p, team = cause.article_p, cause.owner
    else:
        variant = rng.choice(topic.variants)
        article_p, team = topic.article_p, topic.team
    subject, text = compose(rng, surface, variant, req, priority)
    row.update(created_at=ts(created), surface=surface, subject=subject, text=text,
               requester=req, priority=priority)

    if cause:
        row.update(cause=cause.key, cause_title=cause.title, cause_owner=cause.owner,
                   root_cause_at=ts(cause.root_cause_at), fix_url=cause.fix_url,
                   fix_shipped_at=ts(cause.fix_shipped_at))
        p, lo, hi = cause.affected
        if cause.window is wifi_window and created < at(57, 0):
            p = 0.0  # the early warnings a week before the outage each hit one person
        if rng.random() < p:
            row["affected_users"] = str(rng.randint(lo, hi))
    if not row["affected_users"]:
        row["affected_users"] = str(rng.randint(5, 20)) if rng.random() < 0.01 else "0"

    bot = created + timedelta(seconds=rng.randint(2, 25)) if rng.random() < 0.94 else None
    row["first_bot_reply_at"] = ts(bot)

    # ---- decide the path
    fix = cause.fix_shipped_at if cause else None
    waits_for_fix = bool(fix and created < fix and (fix - created) < timedelta(days=cause.fix_wait_days)
                         and rng.random() < (0.9 if cause.key == "wifi-dhcp-pool-exhausted" else 0.55))
    rc_known = bool(cause and cause.root_cause_at and cause.root_cause_at <= created)
    if fix and created >= fix:
        article_p = min(0.6, article_p + 0.15)  # stragglers after the fix: the article covers them
    by_article = bot is not None and not waits_for_fix and rng.random() < article_p * 0.9
    age = LAST_CREATED - created
    stale_p = 0.005 + (0.07 if cause and cause.key == "access-approval-stuck" else 0.0)
    stays_open = rng.random() < (0.24 if age < timedelta(days=14) else stale_p)

    agents: list[str] = []
    human = resolved = escalated = None
    resolution = ""
    if by_article and not stays_open:
        resolved = bot + minutes(lognorm(rng, 6, 0.9))
        resolution = "article"
        row["article_id"] = variant.kb
        if rng.random() < 0.13:  # an agent also looked at it before the requester said "Solved it"
            agents = pick_agents(rng, 0.0)
            human = bot + minutes(lognorm(rng, 4, 0.6))
            resolved = max(resolved, human + minutes(lognorm(rng, 10, 0.8)))
    else:
        if priority == "urgent" or (priority == "high" and rng.random() < 0.5):
            human = created + minutes(lognorm(rng, 7, 0.7))
        else:
            human = next_business(created) + minutes(lognorm(rng, 16, 0.9))
        if rng.random() < 0.04 and age < timedelta(days=3):
            human = None  # not picked up yet
        if human:
            if cause:
                esc_p = 0.12 if rc_known else 0.24
                if waits_for_fix:
                    esc_p = 0.3
            else:
                esc_p = 0.08
            if rng.random() < esc_p:
                escalated = human + minutes(lognorm(rng, 45, 1.0))
            agents = pick_agents(rng, 0.33 if escalated else 0.08)
            if waits_for_fix:
                resolved = fix + minutes(lognorm(rng, 70, 0.8))
                resolution = "fix"
            else:
                base = lognorm(rng, 2.2, 1.15)
                if priority in ("high", "urgent"):
                    base *= 0.6
                if cause and cause.key == "access-approval-stuck":
                    base = lognorm(rng, 26, 0.7)
                start = escalated or human
                if escalated:
                    base = lognorm(rng, 16, 0.9)
                resolved = start + hours(base)
                resolution = "agent"
            if stays_open:
                resolved = None
    if resolved and human and resolved <= human:
        resolved = human + minutes(lognorm(rng, 25, 0.6))
    if resolved and escalated and escalated >= resolved:
        escalated = human + (resolved - human) / 2
    if resolved and resolved >= HORIZON:
        resolved = None
    if not resolved:
        resolution = ""
        row["article_id"] = ""
    if human and human >= HORIZON:
        human = None
        escalated = None
    if escalated and escalated >= HORIZON:
        escalated = None

    row["agents"] = ";".join(agents) if human else ""
    row["first_human_reply_at"] = ts(human)
    row["resolved_at"] = ts(resolved)
    row["resolution"] = resolution

    # ---- escalation
    if escalated:
        if cause and rng.random() < 0.85:
            to = cause.owner
        elif not cause and rng.random() < 0.75:
            to = team
        else:
            pool = INTERNAL_TEAMS if surface == "internal" else EXTERNAL_TEAMS
            to = rng.choice([t for t in pool if t != (cause.owner if cause else team)])
        right = to == (cause.owner if cause else team)
        judgement = rng.choices(["needed", "not_needed", ""],
                                [80, 16, 4] if right else [20, 72, 8])[0]
        if not cause and right:
            judgement = rng.choices(["needed", "not_needed", ""], [58, 38, 4])[0]
        judged = escalated + hours(lognorm(rng, 5, 1.0)) if judgement else None
        if judged and judged >= HORIZON:
            judgement, judged = "", None
        row.update(escalated_at=ts(escalated), escalated_to=to, escalation_judgement=judgement,
                   escalation_judged_at=ts(judged))

    # ---- reopen, close, csat
    reopens: list[datetime] = []
    if resolved:
        reopen_p = {"agent": 0.085, "article": 0.055, "fix": 0.06}[resolution]
        if rng.random() < reopen_p:
            r1 = resolved + hours(max(1.0, lognorm(rng, 20, 1.0)))
            if r1 < HORIZON - hours(1):
                reopens.append(r1)
                if rng.random() < 0.2:
                    r2 = r1 + hours(max(2.0, lognorm(rng, 30, 0.8)))
                    if r2 < HORIZON - hours(1):
                        reopens.append(r2)
                closed = reopens[-1] + hours(max(0.3, lognorm(rng, 6, 1.0)))
                row["reopened_at"] = ";".join(ts(r) for r in reopens)
                row["closed_at"] = ts(closed) if closed < HORIZON else ""
        if rng.random() < (0.37 if not reopens else 0.7):
            last_agent = agents[-1] if agents else None
            slow = (resolved - created) > timedelta(hours=48)
            if reopens and rng.random() < 0.55:  # the "not solved" answer that reopened it
                csat_at = reopens[0] - minutes(rng.uniform(0.5, 8))
                score = rng.choice([1, 2])
            else:
                csat_at = resolved + minutes(lognorm(rng, 50, 1.1))
                score = csat_score(rng, last_agent, bool(reopens), slow)
            if csat_at < HORIZON and csat_at > resolved:
                row.update(csat=str(score), csat_at=ts(csat_at))
    return row


def generate(seed: int = DEFAULT_SEED) -> list[dict[str, str]]:
    rng = random.Random(seed)
    rows = []
    topic_weights = {
        s: ([t for t in TOPICS if t.surface == s], [t.weight for t in TOPICS if t.surface == s])
        for s in ("internal", "external")
    }
    for d in range(DAYS):
        weekend = (START + timedelta(days=d)).weekday() >= 5
        factor = 0.12 if weekend else 1.0
        for cause in CAUSES:
            lam = cause.rate(d)
            if cause.window is None or not lam >= 3:
                lam *= factor
            for _ in range(steady_count(rng, lam)):
                created = cause.window(rng, d) if cause.window else working_time(rng, d)
                surface = "internal" if rng.random() < cause.internal_share else "external"
                rows.append(make_ticket(rng, min(created, LAST_CREATED), surface, cause, None))
        for _ in range(poisson(rng, NO_CAUSE_RATE * factor * (1 + 0.08 * math.sin(d / 3)))):
            surface = "internal" if rng.random() < NO_CAUSE_INTERNAL else "external"
            topics, weights = topic_weights[surface]
            topic = rng.choices(topics, weights)[0]
            rows.append(make_ticket(rng, min(working_time(rng, d), LAST_CREATED), surface, None, topic))
    rows.sort(key=lambda r: (r["created_at"], r["surface"], r["text"]))
    for i, row in enumerate(rows):
        row["id"] = f"T-{10001 + i}"
    return rows


# --------------------------------------------------------------------------- recent copy

TIME_COLUMNS = ["created_at", "first_bot_reply_at", "first_human_reply_at", "resolved_at", "reopened_at",
                "closed_at", "escalated_at", "escalation_judged_at", "root_cause_at", "fix_shipped_at", "csat_at"]


def weeks_until(today: date) -> int:
    """Whole weeks that move the snapshot (a Monday) to the Monday of today's week."""
    monday = today - timedelta(days=today.weekday())
    return (monday - HORIZON.date()).days // 7


def shifted(rows: list[dict[str, str]], weeks: int) -> list[dict[str, str]]:
    """The same tickets moved by whole weeks: weekdays, hours and every interval stay as they were."""
    by = timedelta(weeks=weeks)

    def move(cell: str) -> str:
        return ";".join(ts(datetime.strptime(t, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) + by)
                        for t in cell.split(";")) if cell else ""

    return [{**row, **{c: move(row[c]) for c in TIME_COLUMNS}} for row in rows]


def local_today(config: Path | None) -> date:
    """Today in the time zone of fixloop.toml (UTC without one): its weeks are the ones reports use."""
    zone = "UTC"
    if config is not None and config.is_file():
        zone = tomllib.loads(config.read_text(encoding="utf-8")).get("timezone", "UTC")
    return datetime.now(ZoneInfo(zone)).date()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=HERE / "tickets.csv")
    parser.add_argument("--recent", action="store_true",
                        help="move the ledger by whole weeks so that its last week is the one before today")
    parser.add_argument("--today", type=date.fromisoformat, help="with --recent: the date taken as today")
    parser.add_argument("--config", type=Path, help="with --recent: fixloop.toml, whose timezone says what today is")
    args = parser.parse_args(argv)
    rows = generate(args.seed)
    weeks = weeks_until(args.today or local_today(args.config)) if args.recent else 0
    rows = shifted(rows, weeks)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    last_week = (HORIZON + timedelta(weeks=weeks - 1)).date()
    print(f"wrote {len(rows)} tickets to {args.out}; their last week starts on Monday {last_week}")


if __name__ == "__main__":
    main()
