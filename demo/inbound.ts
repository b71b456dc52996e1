/**
 * `npm run demo:inbound [-- <from> ["Caller Name"]]`: an inbound call to the demo
 * agent, through the running demo's fake Dialpad (its control route
 * POST /_demo/inbound, outside Dialpad's /api/v2): ringing → connected → hangup
 * webhooks reach the service as Dialpad would send them. Without arguments the
 * caller is one of the campaign's leads, calling back.
 *
 * DEMO_DIALPAD_PORT: the fake Dialpad's port, as given to `npm run demo` (4010).
 */
import { DEFAULT_DIALPAD_PORT, demoLeads } from './seed.js';

async function main(argv: string[]): Promise<number> {
  const port = Number(process.env.DEMO_DIALPAD_PORT || DEFAULT_DIALPAD_PORT);
  const [fromArg, ...nameArgs] = argv;
  let from: string;
  let name: string | undefined;
  if (fromArg) {
    from = e164(fromArg);
    name = nameArgs.join(' ').trim() || undefined;
  } else {
    const leads = demoLeads();
    const lead = leads[Math.floor(Math.random() * leads.length)]!;
    from = e164(String(lead.Num1));
    name = String(lead.Name);
  }
  let res: Response;
  try {
    res = await fetch(`http://127.0.0.1:${port}/_demo/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from, ...(name ? { contact_name: name } : {}) }),
    });
  } catch {
    process.stderr.write(`demo:inbound: nothing answers on port ${port}: is \`npm run demo\` running (with DEMO_DIALPAD_PORT=${port} if you changed it)?\n`);
    return 69; // EX_UNAVAILABLE
  }
  const body = (await res.json().catch(() => null)) as { call_id?: string; error?: { message?: string } } | null;
  if (!res.ok) {
    process.stderr.write(`demo:inbound: the fake Dialpad answered ${res.status}: ${body?.error?.message ?? 'no message'}\n`);
    return 1;
  }
  process.stdout.write(`Inbound call ${body?.call_id} from ${from}${name ? ` (${name})` : ''} to the demo agent: ringing now, answered in a few seconds, then hung up.\n`);
  return 0;
}

/** "(312) 555-0101", "312-555-0101", "+1 312 555 0101" → +13125550101 (US numbers without a country code). */
function e164(raw: string): string {
  const digits = raw.replace(/[^\d+]/g, '');
  if (digits.startsWith('+')) return digits;
  if (/^1\d{10}$/.test(digits)) return `+${digits}`;
  if (/^\d{10}$/.test(digits)) return `+1${digits}`;
  return digits;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`demo:inbound: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
