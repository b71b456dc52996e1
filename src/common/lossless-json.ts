/**
 * Dialpad sends ids as bare JSON numbers close to 2^53 (`call_id` ≈ 6.4e15), so a
 * plain JSON.parse can silently change the last digits of an id. This parser keeps
 * the exact source text of every number a double cannot hold exactly.
 */

/** Node ≥ 22 passes this third argument to a JSON.parse reviver (TC39 "JSON.parse source text access"). */
interface ReviverContext {
  source?: string;
}

type LosslessReviver = (this: unknown, key: string, value: unknown, context?: ReviverContext) => unknown;

const keepUnsafeNumbersAsText: LosslessReviver = (_key, value, context) => {
  if (typeof value !== 'number') return value;
  const lossy = !Number.isFinite(value) || (Number.isInteger(value) && !Number.isSafeInteger(value));
  if (!lossy) return value;
  if (context?.source === undefined) {
    // Refuse rather than hand back a number whose digits may already be wrong.
    throw new Error('JSON.parse source text access is unavailable: Node.js 22 or newer is required');
  }
  return context.source;
};

/**
 * JSON.parse that never loses digits: an integer outside Number.isSafeInteger (or a
 * number too large for a double) comes back as its exact source text, e.g.
 * `9007199254740993` → `"9007199254740993"`. Safe integers and floats stay numbers.
 * Throws SyntaxError on invalid JSON.
 */
export function parseJsonLossless(text: string): unknown {
  // a reviver costs a call per value (and V8 keeps every value's source): only when a number may need it
  return mayHoldUnsafeNumber(text) ? JSON.parse(text, keepUnsafeNumbersAsText) : JSON.parse(text);
}

/**
 * Every number literal JSON.parse could read lossily: 16 digits or more (below that an integer is safe), or an
 * exponent. Also matches digits inside strings, which only sends the text to the slow path.
 */
const RISKY_NUMBER = /-?\d{16,}(?:\.\d*)?(?:[eE][+-]?\d+)?|-?\d+(?:\.\d+)?[eE][+-]?\d+/g;

/** Whether some number in the text is one the reviver would keep as text (Dialpad's ids are 16 digits but mostly below 2^53). */
function mayHoldUnsafeNumber(text: string): boolean {
  for (const [literal] of text.matchAll(RISKY_NUMBER)) {
    const value = Number(literal);
    if (!Number.isFinite(value) || (Number.isInteger(value) && !Number.isSafeInteger(value))) return true;
  }
  return false;
}
