#!/usr/bin/env node
// The operator CLI's bin: the TypeScript sources run through tsx, as `npm start` does.
import { register } from 'tsx/esm/api';

register();
await import('../cli/index.ts');
