import type { FakeUser } from './fakes/fake-dialpad.js';
import type { CellValue, FakeSheets } from './fakes/fake-sheets.js';

/**
 * The demo's world: one agent, its Dialpad user, a router tab and a campaign
 * tab of 50 leads (several numbers each, US area codes across six time zones,
 * some notes), laid out as the dialer reads them (SPEC §9: columns by header
 * name, leads by RowID).
 */

export const DEMO_AGENT_EMAIL = 'demo@turbo-cti.test';

/** Fixed ports of the fakes (DEMO_DIALPAD_PORT, DEMO_SHEETS_PORT), so `npm run demo:inbound` knows where to go. */
export const DEFAULT_DIALPAD_PORT = 4010;
export const DEFAULT_SHEETS_PORT = 4020;

/** The agent's Dialpad user in the fake (id as Dialpad spells them: int64 digits). */
export const DEMO_DIALPAD_USER: FakeUser = {
  id: '4785129047965697',
  first_name: 'Dana',
  last_name: 'Demo',
  emails: [DEMO_AGENT_EMAIL],
  phone_numbers: ['+15105550100'],
  state: 'active',
};

/** Google-style spreadsheet ids (the dialer config checks their shape). */
export const ROUTER_SPREADSHEET_ID = '1TurboCtiDemoRouterSheet0000000000000000000';
export const ROUTER_TAB = 'Router';
export const CAMPAIGN_SPREADSHEET_ID = '1TurboCtiDemoCampaignSheet00000000000000000';
export const CAMPAIGN_TAB = 'Spring Outreach';
/** the campaign tab's numeric sheetId (the `gid` of its URL): the router names the tab by it */
export const CAMPAIGN_GID = 1820430212;
export const CAMPAIGN_NAME = 'Spring Outreach 2026';

const MAX_NUMBERS = 10;

/** The campaign tab's header: the required columns, Num/Status side by side as people lay them out, plus extras the dialer keeps. */
export const CAMPAIGN_HEADER: string[] = [
  'RowID',
  'Name',
  'Company',
  'City',
  ...Array.from({ length: MAX_NUMBERS }, (_, i) => [`Num${i + 1}`, `Status${i + 1}`]).flat(),
  'Notes',
  'LastOutcome',
  'AttemptCount',
  'NextIndex',
  'LastCalledAt',
];

/** Area codes by city: Eastern, Central, Mountain (Denver; Phoenix without DST), Pacific, Alaska, Hawaii. */
const CITIES: { city: string; areaCodes: string[] }[] = [
  { city: 'New York, NY', areaCodes: ['212', '718', '917'] },
  { city: 'Boston, MA', areaCodes: ['617'] },
  { city: 'Miami, FL', areaCodes: ['305'] },
  { city: 'Chicago, IL', areaCodes: ['312', '773'] },
  { city: 'Dallas, TX', areaCodes: ['214'] },
  { city: 'Denver, CO', areaCodes: ['303', '720'] },
  { city: 'Phoenix, AZ', areaCodes: ['602'] },
  { city: 'Los Angeles, CA', areaCodes: ['213', '310'] },
  { city: 'Seattle, WA', areaCodes: ['206'] },
  { city: 'Anchorage, AK', areaCodes: ['907'] },
  { city: 'Honolulu, HI', areaCodes: ['808'] },
];

const PEOPLE: [string, string][] = [
  ['Maria Gonzalez', 'Gonzalez Landscaping'],
  ['James Whitaker', 'Whitaker & Sons Plumbing'],
  ['Aisha Johnson', 'Brightside Dental'],
  ['Robert Chen', 'Chen Family Restaurants'],
  ['Emily Novak', 'Novak Interiors'],
  ['Daniel Okafor', 'Okafor Logistics'],
  ['Sarah Mitchell', 'Mitchell Realty Group'],
  ['Kevin Tran', 'Tran Auto Repair'],
  ['Linda Park', 'Park Avenue Florist'],
  ['Michael Rossi', 'Rossi Construction'],
  ['Priya Patel', 'Sunrise Pharmacy'],
  ['Thomas Becker', 'Becker Hardware'],
  ['Olivia Brooks', 'Brooks Yoga Studio'],
  ['Carlos Mendoza', 'Mendoza Roofing'],
  ['Hannah Schultz', 'Schultz Bakery'],
  ['William Foster', 'Foster Insurance Agency'],
  ['Grace Kim', 'Kim Accounting'],
  ['Anthony Russo', 'Russo Pizzeria'],
  ['Nicole Harper', 'Harper Veterinary Clinic'],
  ['David Levine', 'Levine Law Office'],
  ['Fatima Hassan', 'Hassan Imports'],
  ['Brian O\u2019Connor', 'O\u2019Connor Electric'],
  ['Jessica Alvarez', 'Alvarez Cleaning Co.'],
  ['Steven Wright', 'Wright Fitness'],
  ['Megan Sullivan', 'Sullivan Pet Grooming'],
  ['Jorge Ramirez', 'Ramirez Tire & Wheel'],
  ['Rachel Goldberg', 'Goldberg Optometry'],
  ['Andrew Kowalski', 'Kowalski HVAC'],
  ['Keisha Williams', 'Williams Catering'],
  ['Patrick Nguyen', 'Nguyen Nail Spa'],
  ['Laura Jensen', 'Jensen Chiropractic'],
  ['Ahmed Karimi', 'Karimi Rugs'],
  ['Christina Lopez', 'Lopez Daycare'],
  ['Mark Peterson', 'Peterson Marine Supply'],
  ['Yuki Tanaka', 'Tanaka Sushi Bar'],
  ['Benjamin Scott', 'Scott Photography'],
  ['Sofia Rossi', 'Bella Boutique'],
  ['Ethan Murphy', 'Murphy Moving & Storage'],
  ['Leilani Kahale', 'Aloha Surf Rentals'],
  ['Nathan Price', 'Price Printing'],
  ['Isabella Cruz', 'Cruz Hair Salon'],
  ['Gregory Adams', 'Adams Tax Services'],
  ['Amanda Reyes', 'Reyes Pediatrics'],
  ['Tyler Morgan', 'Morgan Coffee Roasters'],
  ['Kalani Akana', 'Island Tours Honolulu'],
  ['Victoria Hughes', 'Hughes Event Planning'],
  ['Samuel Ortiz', 'Ortiz Tile & Stone'],
  ['Natalie Fischer', 'Fischer Bookkeeping'],
  ['Jacob Anderson', 'Anderson Outfitters'],
  ['Chloe Bennett', 'Bennett Bridal'],
];

/** Notes an earlier campaign left on some leads. */
const NOTES: Record<number, string> = {
  2: 'Prefers calls after 2pm local time',
  5: 'Asked for pricing on the annual plan',
  9: 'Gatekeeper: ask for the owner',
  13: 'Spanish speaker, English OK',
  17: 'Met at the Chicago trade show',
  21: 'Referred by Whitaker & Sons',
  26: 'Call the mobile first',
  30: 'Interested in a demo next quarter',
  34: 'Has an existing contract until June',
  38: 'Best reached early morning (HST)',
  42: 'Decision maker is the office manager',
  47: 'Left a message with reception last week',
};

/** How the numbers of a lead are written in the sheet: people type them every which way. */
const FORMATS: ((area: string, line: string) => string)[] = [
  (a, l) => `(${a}) 555-${l}`,
  (a, l) => `${a}-555-${l}`,
  (a, l) => `+1 ${a} 555 ${l}`,
  (a, l) => `${a}555${l}`,
];

/** 50 leads (RowID L-1001…), 1–4 numbers each (fictional 555-01xx lines, all different), cells by column name. */
export function demoLeads(count = 50): Record<string, CellValue>[] {
  const nextLine = new Map<string, number>();
  const number = (area: string, style: number) => {
    const n = nextLine.get(area) ?? 100;
    if (n > 199) throw new Error(`demo seed: more than 100 numbers in area code ${area}`);
    nextLine.set(area, n + 1);
    return FORMATS[style % FORMATS.length]!(area, String(n).padStart(4, '0'));
  };
  return Array.from({ length: count }, (_, i) => {
    const [name, company] = PEOPLE[i % PEOPLE.length]!;
    const home = CITIES[(i * 7) % CITIES.length]!; // spreads the leads over the zones
    const howMany = 1 + ((i * 5) % 4); // 1..4 numbers
    const lead: Record<string, CellValue> = { RowID: `L-${1001 + i}`, Name: name, Company: company, City: home.city, Notes: NOTES[i] ?? '' };
    for (let k = 0; k < howMany; k++) {
      // mostly the lead's own city; now and then a mobile from elsewhere (a number whose zone differs)
      const where = k === 2 ? CITIES[(i + 3) % CITIES.length]! : home;
      lead[`Num${k + 1}`] = number(where.areaCodes[(i + k) % where.areaCodes.length]!, i + k);
      lead[`Status${k + 1}`] = 'NEW';
    }
    return lead;
  });
}

/** The router row of the demo agent and the campaign tab, into the fake Sheets. */
export function seedSheets(sheets: FakeSheets, opts: { agentEmail?: string; dialpadUserId?: string; leads?: number } = {}): { leads: number } {
  const leads = demoLeads(opts.leads ?? 50);
  sheets.setSheet(ROUTER_SPREADSHEET_ID, ROUTER_TAB, [
    ['AgentEmail', 'DialpadUserID', 'SpreadsheetId', 'TabId', 'CampaignName', 'Active'],
    [opts.agentEmail ?? DEMO_AGENT_EMAIL, opts.dialpadUserId ?? DEMO_DIALPAD_USER.id, CAMPAIGN_SPREADSHEET_ID, String(CAMPAIGN_GID), CAMPAIGN_NAME, 'TRUE'],
  ]);
  sheets.setSheet(CAMPAIGN_SPREADSHEET_ID, CAMPAIGN_TAB, [CAMPAIGN_HEADER, ...leads.map((lead) => CAMPAIGN_HEADER.map((h) => lead[h] ?? ''))], { sheetId: CAMPAIGN_GID });
  return { leads: leads.length };
}
