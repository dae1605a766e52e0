import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ReferralSchema } from './referral.schema.ts';

describe('published referral JSON Schema', () => {
  it('docs/referral.schema.json is the schema the API serves and the parser enforces', () => {
    const published = JSON.parse(
      readFileSync(new URL('../../../docs/referral.schema.json', import.meta.url), 'utf8'),
    ) as unknown;
    // Regenerate with: node --import tsx -e "import('./src/intake/formats/referral.schema.ts').then(m=>console.log(JSON.stringify(m.ReferralSchema,null,2)))"
    expect(published).toEqual(JSON.parse(JSON.stringify(ReferralSchema)));
  });
});
