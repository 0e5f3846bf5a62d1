import { expect, test } from 'vitest';
import { z } from 'zod';
import { parseOptions } from '../../src/pipeline/options.js';

const schema = z.strictObject({
  mode: z.enum(['no', 'keep_ratio', 'center_crop']).default('keep_ratio'),
  maxSidePx: z.number().int().positive().default(980),
  nested: z.strictObject({ qualities: z.array(z.number().max(100)) }).optional(),
});

test('applies defaults and returns typed options', () => {
  expect(parseOptions('resize', schema, {})).toEqual({ mode: 'keep_ratio', maxSidePx: 980 });
});

test('errors name where, which option, what was received and what is allowed', () => {
  expect(() => parseOptions('resize', schema, { mode: 'stretch' })).toThrowError(
    /resize: mode: Invalid option: expected one of "no"\|"keep_ratio"\|"center_crop" \(received "stretch"\)/,
  );
  expect(() => parseOptions('resize', schema, { nested: { qualities: [90, 120] } })).toThrowError(
    /resize: nested\.qualities\[1\]: .*100.* \(received 120\)/,
  );
  expect(() => parseOptions('resize', schema, { maxSide: 3 })).toThrowError(
    /resize: Unrecognized key: "maxSide"/,
  );
  try {
    parseOptions('resize', schema, { maxSidePx: 0 });
  } catch (error) {
    expect(error).toMatchObject({ code: 'E_CONFIG', exitCode: 2 });
  }
});
