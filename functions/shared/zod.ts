/**
 * The schema library for code every bundle loads: `zod/mini` (tree-shakable, about a quarter of
 * classic zod's size in a bundle) with the English messages classic zod installs by default, so a
 * refusal or a bad-input error reads the same whichever flavour parsed it.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());

export * from 'zod/mini';
