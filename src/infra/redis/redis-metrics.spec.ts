import { describe, expect, it } from '@jest/globals';
import { parseRedisMemory } from './redis-metrics.js';

describe('parseRedisMemory', () => {
  it('reads used_memory and maxmemory from INFO memory', () => {
    const info = '# Memory\r\nused_memory:1048576\r\nused_memory_human:1.00M\r\nmaxmemory:268435456\r\nmaxmemory_human:256.00M\r\n';
    expect(parseRedisMemory(info)).toEqual({ used: 1048576, max: 268435456 });
  });

  it('maxmemory absent counts as no limit; no used_memory is no answer', () => {
    expect(parseRedisMemory('used_memory:42\n')).toEqual({ used: 42, max: 0 });
    expect(parseRedisMemory('# Memory\r\n')).toBeNull();
  });
});
