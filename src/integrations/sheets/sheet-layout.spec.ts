import { AGENT_OPTIONAL_COLUMNS, AGENT_REQUIRED_COLUMNS, describeProblems, mapHeader, ROUTER_COLUMNS, toAgentRow, toRouterEntry } from './sheet-layout.js';

const FULL = [...AGENT_REQUIRED_COLUMNS];

describe('agent sheet header', () => {
  it('finds every column by name in any order, forgiving case and spacing, and keeps the others', () => {
    const header = ['Owner', ...[...FULL].reverse().map((h) => (h === 'Num1' ? 'num 1' : h === 'RowID' ? ' ROW_ID ' : h)), 'Timezone', '', 'Source'];
    const { layout, problems } = mapHeader(header, AGENT_REQUIRED_COLUMNS, AGENT_OPTIONAL_COLUMNS);
    expect(problems).toBeNull();
    expect(layout.columns.get('Num1')).toBe(header.indexOf('num 1'));
    expect(layout.columns.get('RowID')).toBe(header.indexOf(' ROW_ID '));
    expect(layout.columns.get('Timezone')).toBe(header.indexOf('Timezone'));
    expect(layout.columns.has('LastCalledAt')).toBe(false);
    expect(layout.extras).toEqual([
      { name: 'Owner', index: 0 },
      { name: 'Source', index: header.length - 1 },
    ]);
    expect(layout.width).toBe(header.length);
  });

  it('names what is missing and what is there twice', () => {
    const header = FULL.filter((h) => h !== 'Num1' && h !== 'NextIndex').concat('Notes');
    const { problems } = mapHeader(header, AGENT_REQUIRED_COLUMNS, AGENT_OPTIONAL_COLUMNS);
    expect(problems).toEqual({ missing: ['Num1', 'NextIndex'], duplicates: ['Notes'] });
    expect(describeProblems(problems!)).toBe('is missing columns Num1, NextIndex; has Notes twice');
    expect(describeProblems({ missing: ['Active'], duplicates: [] })).toBe('is missing column Active');
    expect(mapHeader([], AGENT_REQUIRED_COLUMNS).problems?.missing).toHaveLength(AGENT_REQUIRED_COLUMNS.length);
  });

  it('a row becomes an AgentRow (text cells, frozen arrays); a blank row is none', () => {
    const header = ['RowID', 'Name', 'Num1', 'Status1', 'Num2', 'Notes', 'AttemptCount', 'Company'];
    const { layout } = mapHeader(header, AGENT_REQUIRED_COLUMNS, AGENT_OPTIONAL_COLUMNS);
    const row = toAgentRow(layout, [' L1 ', 'Ada', 2125550101, 'NEW', '', 'hi', 3, 'ACME'], 5)!;
    expect(row).toEqual({
      rowIndex: 5,
      rowId: 'L1',
      name: 'Ada',
      numbers: ['2125550101', '', '', '', '', '', '', '', '', ''],
      statuses: ['NEW', '', '', '', '', '', '', '', '', ''],
      notes: 'hi',
      lastOutcome: '',
      attemptCount: '3',
      nextIndex: '',
      lastCalledAt: '',
      timezone: '',
      extra: { Company: 'ACME' },
    });
    expect(Object.isFrozen(row.numbers)).toBe(true);
    expect(toAgentRow(layout, ['', '  ', null], 6)).toBeNull();
  });
});

describe('router sheet', () => {
  it('maps its six columns and reads Active from a checkbox or text', () => {
    const { layout, problems } = mapHeader([...ROUTER_COLUMNS, 'Team'], ROUTER_COLUMNS);
    expect(problems).toBeNull();
    expect(toRouterEntry(layout, ['ada@example.com', 5001, 'book', 123, 'Q4', true, 'blue'], 2)).toEqual({
      rowIndex: 2,
      agentEmail: 'ada@example.com',
      dialpadUserId: '5001',
      spreadsheetId: 'book',
      tabId: '123',
      campaignName: 'Q4',
      active: true,
      extra: { Team: 'blue' },
    });
    for (const yes of ['TRUE', 'yes', 'Y', '1', 'Active']) expect(toRouterEntry(layout, ['a', '', '', '', '', yes], 2)!.active).toBe(true);
    for (const no of ['FALSE', false, 'no', '', '0', 'paused']) expect(toRouterEntry(layout, ['a', '', '', '', '', no], 2)!.active).toBe(false);
  });
});
