/**
 * Small integer ids for the zone sets the lookups hand out (each distinct set is
 * one shared array), so a decision can keep its window answers in a typed
 * array instead of a map: the hot loop of pickNext touches it once per number.
 */
const ids = new Map<readonly string[], number>();
const sets: (readonly string[])[] = [];

export function zoneSetId(zones: readonly string[]): number {
  let id = ids.get(zones);
  if (id === undefined) {
    id = sets.length;
    sets.push(zones);
    ids.set(zones, id);
  }
  return id;
}

export function zoneSetById(id: number): readonly string[] {
  return sets[id]!;
}

export function zoneSetCount(): number {
  return sets.length;
}

/** A lead's window signature: which numbers may be dialed and the zone set (id, -1 unknown) of each. */
export interface WindowSignature {
  readonly mask: number;
  readonly zoneIds: readonly number[];
}

const signatureIds = new Map<string, number>();
const signatures: WindowSignature[] = [];

export function windowSignatureId(mask: number, zoneIds: readonly number[]): number {
  let key = String(mask);
  for (let i = 0; i < zoneIds.length; i++) if (mask & (1 << i)) key += `,${zoneIds[i]}`;
  let id = signatureIds.get(key);
  if (id === undefined) {
    id = signatures.length;
    signatures.push({ mask, zoneIds: [...zoneIds] });
    signatureIds.set(key, id);
  }
  return id;
}

export function windowSignatureById(id: number): WindowSignature {
  return signatures[id]!;
}

export function windowSignatureCount(): number {
  return signatures.length;
}
