/**
 * The PostgreSQL database tests run in: a throw-away database made by .ci/run, or the machine's `test`
 * database locally.
 */
export const PG_URL = process.env.CONDUIT_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
