// Shared by this package's tests: the data fixture the worker processes open (plain JavaScript:
// they run the built dl4ts-worker without a TypeScript loader).
export const DATA_FIXTURE_URL = new URL('./fixtures/classification-data.mjs', import.meta.url).href;
