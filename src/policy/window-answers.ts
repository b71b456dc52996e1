import { type CampaignPolicy, minutesOfDay } from './campaign-policy.js';
import type { Lead } from './lead.js';
import { WindowClock, type ZoneLookup, zoneOfCell } from './time-zones.js';
import { type WindowSignature, windowSignatureById, windowSignatureCount, zoneSetById, zoneSetCount } from './zone-sets.js';

const FALLBACK_ZONES = Object.freeze(['UTC']);

/**
 * Window answers of one decision. Leads alike (same dialable numbers in the
 * same zone sets) share one answer: a bit mask of their numbers outside the
 * window, kept per signature; zone sets are asked once each.
 */
export class WindowAnswers {
  private readonly clock: WindowClock;
  private readonly campaignInside: boolean;
  private readonly zoneAnswers = new Int8Array(zoneSetCount() + 64);
  private readonly signatureMasks = new Int32Array(windowSignatureCount() + 256);

  constructor(
    policy: CampaignPolicy,
    nowMs: number,
    private readonly customZones: ZoneLookup | undefined,
  ) {
    const w = policy.callingWindow;
    this.clock = new WindowClock(nowMs, minutesOfDay(w.start) ?? 0, minutesOfDay(w.end) ?? 24 * 60);
    this.campaignInside = this.clock.inside(zoneOfCell(policy.defaultTimezone) ?? FALLBACK_ZONES);
  }

  /** Bits of the lead's dialable numbers that are outside the window now. */
  outsideMask(lead: Lead): number {
    if (this.customZones) return this.outsideByNumber(lead);
    const sig = lead.windowSignature;
    if (sig >= this.signatureMasks.length) return this.outsideOf(windowSignatureById(sig));
    // stored + 1 so that 0 means "not asked yet"
    let stored = this.signatureMasks[sig]!;
    if (stored === 0) {
      stored = this.outsideOf(windowSignatureById(sig)) + 1;
      this.signatureMasks[sig] = stored;
    }
    return stored - 1;
  }

  private outsideOf(signature: WindowSignature): number {
    let outside = 0;
    for (let m = signature.mask; m !== 0; m &= m - 1) {
      const i = lowestBit(m);
      const id = signature.zoneIds[i]!;
      if (!(id < 0 ? this.campaignInside : this.zoneInside(id))) outside |= 1 << i;
    }
    return outside;
  }

  private outsideByNumber(lead: Lead): number {
    let outside = 0;
    for (let m = lead.candidateMask; m !== 0; m &= m - 1) {
      const i = lowestBit(m);
      const zones = lead.rowZones ?? this.customZones!(lead.phones[i]!);
      if (!(zones ? this.clock.inside(zones) : this.campaignInside)) outside |= 1 << i;
    }
    return outside;
  }

  private zoneInside(id: number): boolean {
    if (id >= this.zoneAnswers.length) return this.clock.inside(zoneSetById(id));
    let answer = this.zoneAnswers[id]!;
    if (answer === 0) {
      answer = this.clock.inside(zoneSetById(id)) ? 1 : 2;
      this.zoneAnswers[id] = answer;
    }
    return answer === 1;
  }
}

/** 0-based index of the lowest set bit. */
export function lowestBit(mask: number): number {
  return 31 - Math.clz32(mask & -mask);
}
