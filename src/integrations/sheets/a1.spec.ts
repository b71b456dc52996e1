import fc from 'fast-check';
import { cellA1, columnIndex, columnLetters, hexToColor, quoteTitle, rowA1, tabA1 } from './a1.js';

describe('A1 notation', () => {
  it.each([
    [0, 'A'],
    [25, 'Z'],
    [26, 'AA'],
    [51, 'AZ'],
    [52, 'BA'],
    [701, 'ZZ'],
    [702, 'AAA'],
  ])('column %i is %s', (index, letters) => {
    expect(columnLetters(index)).toBe(letters);
    expect(columnIndex(letters)).toBe(index);
  });

  it('letters and indices round-trip', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 18_277 }), (i) => columnIndex(columnLetters(i)) === i));
  });

  it('titles are always quoted, single quotes doubled', () => {
    expect(quoteTitle('Leads')).toBe("'Leads'");
    expect(quoteTitle("Q4 '24 leads")).toBe("'Q4 ''24 leads'");
    expect(cellA1('My Tab', 27, 7)).toBe("'My Tab'!AB7");
    expect(rowA1('Leads', 3)).toBe("'Leads'!3:3");
    expect(tabA1('Leads')).toBe("'Leads'");
  });

  it('#RRGGBB becomes the API colour (0..1)', () => {
    expect(hexToColor('#8E7CC3')).toEqual({ red: 0.556863, green: 0.486275, blue: 0.764706 });
    expect(hexToColor('ffffff')).toEqual({ red: 1, green: 1, blue: 1 });
    expect(() => hexToColor('purple')).toThrow(/not a #RRGGBB colour/);
  });
});
