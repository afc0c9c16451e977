// Shared by this package's tests: the data fixture the worker processes open (plain JavaScript:
// they run the built dl4ts-worker without a TypeScript loader), and where they run.
import { fileURLToPath } from 'node:url';

export const DATA_FIXTURE_URL = new URL('./fixtures/classification-data.mjs', import.meta.url).href;

/** This package's folder: where worker processes resolve modules from. */
export const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
