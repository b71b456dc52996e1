/** A1 notation for the Sheets API (ranges need the tab's title, quoted). */

/** 0-based column index → letters: 0 → A, 25 → Z, 26 → AA. */
export function columnLetters(index: number): string {
  let n = index + 1;
  let out = '';
  while (n > 0) {
    const rem = (n - 1) % 26;
    out = String.fromCharCode(65 + rem) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
}

/** Letters → 0-based column index: A → 0, AA → 26. */
export function columnIndex(letters: string): number {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

/** A tab title as a range prefix, always quoted (single quotes doubled), e.g. 'Q4 Leads'. */
export function quoteTitle(title: string): string {
  return `'${title.replace(/'/g, "''")}'`;
}

/** One cell: 'Tab'!C7 (row is 1-based). */
export function cellA1(title: string, column: number, row: number): string {
  return `${quoteTitle(title)}!${columnLetters(column)}${row}`;
}

/** A whole row: 'Tab'!7:7. */
export function rowA1(title: string, row: number): string {
  return `${quoteTitle(title)}!${row}:${row}`;
}

/** The whole tab: 'Tab'. */
export function tabA1(title: string): string {
  return quoteTitle(title);
}

/** #RRGGBB → the API's Color (0..1 floats). */
export function hexToColor(hex: string): { red: number; green: number; blue: number } {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new Error(`not a #RRGGBB colour: ${hex}`);
  const channel = (h: string) => Math.round((parseInt(h, 16) / 255) * 1e6) / 1e6;
  return { red: channel(m[1]!), green: channel(m[2]!), blue: channel(m[3]!) };
}
