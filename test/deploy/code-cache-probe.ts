// `node --import tsx code-cache-probe.ts <bundle> <profile>` prints whether V8 took the bundle's code cache for the
// profile (test/deploy/build.test.ts): a child process of its own, with the V8 flags of a plain `node`.
import { CACHE_PROFILES, loadBundle, type CacheProfile } from '../../src/cli/code-cache.js';

// tsx turns Node's source maps on, under which loadBundle leaves the bundle to Node's loader; plain `node` has them off.
process.setSourceMapsEnabled(false);
const [bundle, profile] = process.argv.slice(2);
if (!bundle || !CACHE_PROFILES.includes(profile as CacheProfile)) throw new Error('usage: code-cache-probe <bundle> <profile>');
process.stdout.write(loadBundle(bundle, profile as CacheProfile).cached ? 'cached' : 'compiled');
