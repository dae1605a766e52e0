import type { Priority } from '../domain/decision.ts';
import type { IncidentType, MediaFile, ReferralDocument } from '../domain/referral.ts';

export type PriorityLevel = Priority['level'];

/** Incident types where a child is (or was) in contact with the reported person, not only material. */
const CONTACT_TYPES: ReadonlySet<IncidentType> = new Set<IncidentType>([
  'Online Enticement of Children for Sexual Acts',
  'Child Sex Trafficking',
  'Child Sex Tourism',
  'Child Sexual Molestation',
]);

/**
 * The priority truth.json expects a prioritiser to reach, from what the document says plus one fact a
 * hash list would supply (whether each file is a known circulating item). First matching rule wins:
 *
 * - `E` — the provider escalated (`escalateToHighPriority`), or a contact report (enticement,
 *   trafficking, sex tourism, molestation, or the sextortion annotation) names a victim under 13.
 * - `1` — any other contact report; or a Reported file that is NOT known circulating material and is
 *   classified A1 or flagged `infant` / `physicalHarm` (possibly new material: a child to identify).
 * - `2` — any other Reported file that is not known circulating material; a reported account carrying
 *   a `groupIdentifier` (organised group); or "Unsolicited Obscene Material Sent to a Child".
 * - `3` — everything else: known circulating material only, viral/meme bundles, reports without files.
 *
 * `circulating[i]` says whether `doc.files[i]` is a known circulating item.
 */
export function expectedPriority(doc: ReferralDocument, circulating: readonly boolean[]): PriorityLevel {
  const inc = doc.incident;
  const contact = CONTACT_TYPES.has(inc.type) || inc.annotations.includes('sextortion');
  const youngVictim = doc.victims.some((v) => v.age !== undefined && v.age < 13);
  if (inc.escalation !== undefined || (contact && youngVictim)) return 'E';
  const fresh = doc.files.filter((f, i) => f.relevance === 'Reported' && circulating[i] !== true);
  if (contact || fresh.some(severe)) return '1';
  if (
    fresh.length > 0 ||
    doc.reportedPersons.some((a) => a.groupIdentifier !== undefined) ||
    inc.type === 'Unsolicited Obscene Material Sent to a Child'
  ) {
    return '2';
  }
  return '3';
}

function severe(f: MediaFile): boolean {
  return (
    f.industryClassification === 'A1' ||
    f.annotations.includes('infant') ||
    f.annotations.includes('physicalHarm')
  );
}
