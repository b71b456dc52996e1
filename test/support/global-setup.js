// Plain JS: Jest runs globalSetup outside its module mapping, so it cannot load src/ (TypeScript).
import { randomBytes } from 'node:crypto';

/**
 * Names this run's template database. The first e2e file that needs it creates
 * and migrates it (test-app.ts, under an advisory lock); every file clones it.
 */
export default async function globalSetup() {
  process.env.TURBO_CTI_TEST_TEMPLATE_DB = `cti_tpl_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}
