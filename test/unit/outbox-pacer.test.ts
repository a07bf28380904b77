import { describe, expect, it } from 'vitest';
import { Pacer } from '../../shared/core/outbox/pacer.js';

describe('the pacer keeps sends inside the limits', () => {
  it('spaces a 1-per-second channel a second apart', () => {
    const pacer = new Pacer();
    const rules = [{ key: 'slack:T1:C1', limit: 1, windowMs: 1000 }];
    expect(pacer.readyAt(rules, 0)).toBe(0);
    pacer.spend(rules, 0);
    expect(pacer.readyAt(rules, 10)).toBe(1000);
    expect(pacer.readyAt([{ key: 'slack:T1:C2', limit: 1, windowMs: 1000 }], 10)).toBe(10);
  });

  it('lets 20 a minute into a group, then waits for the oldest to age out', () => {
    const pacer = new Pacer();
    const rules = [
      { key: 'chat', limit: 1, windowMs: 1000 },
      { key: 'group', limit: 20, windowMs: 60_000 },
    ];
    for (let second = 0; second < 20; second += 1) {
      expect(pacer.readyAt(rules, second * 1000)).toBe(second * 1000);
      pacer.spend(rules, second * 1000);
    }
    expect(pacer.readyAt(rules, 20_000)).toBe(60_000);
  });

  it('honours what the platform said: an empty bucket until its reset, a 429 until retry_after', () => {
    const pacer = new Pacer();
    const rules = [{ key: 'discord:channel:1', limit: 5, windowMs: 5000 }];
    pacer.spend(rules, 0);
    pacer.observe([{ key: 'discord:channel:1', remaining: 0, resetAfterMs: 2500 }], 100);
    expect(pacer.readyAt(rules, 200)).toBe(2600);
    expect(pacer.readyAt(rules, 2600)).toBe(2600);
    pacer.block('discord:channel:1', 9000);
    expect(pacer.readyAt(rules, 3000)).toBe(9000);
  });

  it('spaces the next send from when a request really left, not from when it was chosen', () => {
    const pacer = new Pacer();
    const rules = [{ key: 'slack:T1:C1', limit: 1, windowMs: 1000 }];
    const reservation = pacer.reserve(rules, 0);
    // Until it leaves it may leave any moment: nothing else in its window from now.
    expect(pacer.readyAt(rules, 300)).toBe(1300);
    // Its claim took 400 ms before the request left.
    reservation.leave(400);
    expect(pacer.readyAt(rules, 1000)).toBe(1400);
  });

  it('counts chosen sends that have not left against every window until they leave or are cancelled', () => {
    const pacer = new Pacer();
    const rules = [{ key: 'telegram:bot', limit: 2, windowMs: 1000 }];
    const late = [pacer.reserve(rules, 0), pacer.reserve(rules, 0)];
    // Both may still leave at any moment: a third must wait a whole window from now.
    expect(pacer.readyAt(rules, 1200)).toBe(2200);
    late[0]?.leave(1250);
    // One left at 1250 and one may leave any moment: the window of the one that left.
    expect(pacer.readyAt(rules, 1300)).toBe(2250);
    late[1]?.cancel();
    // The cancelled one takes no place; leaving after a cancel changes nothing.
    expect(pacer.readyAt(rules, 1300)).toBe(1300);
    late[1]?.leave(1300);
    expect(pacer.readyAt(rules, 1300)).toBe(1300);
  });
});
