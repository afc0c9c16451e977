// Installs source-hooks.mjs in a worker thread (passed with `--import`); see that file.
import { register } from 'node:module';

register(new URL('./source-hooks.mjs', import.meta.url));
