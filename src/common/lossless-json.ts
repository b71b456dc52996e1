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
  // A reviver costs a call per value (and V8 keeps every value's source), so parse plainly first: a number the
  // reviver would keep as text parses to a value the same test finds (an integer beyond 2^53, or ±Infinity).
  // Only then parse again with the reviver. Dialpad's ids are 16 digits but mostly below 2^53.
  const value: unknown = JSON.parse(text);
  return holdsLossyNumber(value) ? JSON.parse(text, keepUnsafeNumbersAsText) : value;
}

/** Whether a parsed JSON value holds a number the reviver would keep as text (its parse may have lost digits). */
function holdsLossyNumber(root: unknown): boolean {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === 'number') {
      if (!Number.isFinite(value) || (Number.isInteger(value) && !Number.isSafeInteger(value))) return true;
    } else if (Array.isArray(value)) {
      for (const item of value) stack.push(item);
    } else if (typeof value === 'object' && value !== null) {
      for (const item of Object.values(value)) stack.push(item);
    }
  }
  return false;
}
