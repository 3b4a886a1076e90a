#!/usr/bin/env node
// The `orochi` bin: the CLI is TypeScript, run through tsx's ESM loader.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
