import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('configuration', () => {
  it('folds Gmail addresses by default and can be told not to', () => {
    expect(loadConfig({}, {}).emailProviderRules).toBe(true);
    expect(loadConfig({}, { CONDUIT_EMAIL_PROVIDER_RULES: 'off' }).emailProviderRules).toBe(false);
  });

  it('names the setting it cannot read', () => {
    expect(() => loadConfig({}, { CONDUIT_EMAIL_PROVIDER_RULES: 'maybe' })).toThrow(ConfigError);
    expect(() => loadConfig({}, { CONDUIT_EMAIL_PROVIDER_RULES: 'maybe' })).toThrow(
      /CONDUIT_EMAIL_PROVIDER_RULES/,
    );
    expect(() => loadConfig({}, { CONDUIT_RATE_LIMIT: '0' })).toThrow(/CONDUIT_RATE_LIMIT/);
  });

  it('takes an agency geo database path, and none when empty', () => {
    expect(loadConfig({}, { CONDUIT_GEOIP_DB: '/srv/geo/city.mmdb' }).geoDatabase).toBe('/srv/geo/city.mmdb');
    expect(loadConfig({}, { CONDUIT_GEOIP_DB: '' }).geoDatabase).toBeUndefined();
  });
});
