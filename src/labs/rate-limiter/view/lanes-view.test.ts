import { describe, expect, it } from 'vitest';
import { CLIENTS_MAX, GATEWAYS_MAX, LANES_MAX } from '../sim/constants';
import {
  BOX_MIN_PX,
  CLIENT_ROW_MIN_PX,
  clientY,
  FONT_PX,
  gatewayY,
  geometryOf,
  NARROW_PX,
  STAGE_WIDTH_MIN,
} from './lanes-view';

const WIDTHS = [STAGE_WIDTH_MIN, 319, 343, 480, NARROW_PX, 760, 1_000, 1_400];
/** A generous width per character of the 12 px system font: "mallory ⚠" is 9 characters. */
const CHAR_PX = 0.62 * FONT_PX.label;
// A phone's stage (375 px less the page's and the panel's padding), a tablet, desktops.

describe('the stage layout, in CSS pixels (the stage is never scaled)', () => {
  it('draws every text at 11 px or more', () => {
    for (const size of Object.values(FONT_PX)) expect(size).toBeGreaterThanOrEqual(11);
  });

  for (const width of WIDTHS) {
    it(`fits a ${width} px wide stage with 1 to ${CLIENTS_MAX} clients, nothing overlapping`, () => {
      for (let clients = 1; clients <= CLIENTS_MAX; clients += 1) {
        const g = geometryOf(width, clients, LANES_MAX);
        expect(g.width).toBe(Math.max(STAGE_WIDTH_MIN, width));
        expect(g.narrow).toBe(width < NARROW_PX);
        // Client rows far enough apart for their labels, all inside the lane and below the title.
        const ys = Array.from({ length: clients }, (_, i) => clientY(g, i, clients));
        for (let i = 1; i < ys.length; i += 1) {
          expect(ys[i]! - ys[i - 1]!).toBeGreaterThanOrEqual(CLIENT_ROW_MIN_PX);
        }
        expect(Math.min(...ys) - FONT_PX.label).toBeGreaterThan(g.titleY + 3);
        expect(Math.max(...ys) + 4).toBeLessThan(g.laneHeight);
        // The longest name fits left of its dot; the dots have room to travel to the limiter.
        expect(g.labelRight - 9 * CHAR_PX).toBeGreaterThanOrEqual(0);
        expect(g.labelRight).toBeLessThan(g.dotX - 4.5);
        expect(g.boxX - g.dotX).toBeGreaterThanOrEqual(12);
        // The limiter's box holds its longest figure ("≈ 10.0 / 10 weighted", 20 characters)
        // and leaves room before the API, which stays inside the stage.
        expect(g.boxW).toBeGreaterThanOrEqual(width >= 319 ? BOX_MIN_PX : 110);
        expect(g.apiX - (g.boxX + g.boxW)).toBeGreaterThanOrEqual(12);
        expect(g.apiX + g.apiW).toBeLessThanOrEqual(g.width);
        // The title sits above the box; the box's caption, bars and figure fit inside it.
        expect(g.titleY + 4).toBeLessThanOrEqual(g.boxTop);
        expect(g.boxBottom - g.boxTop).toBeGreaterThanOrEqual(14 + 24 + 26);
        // Distributed: gateways on the left, the store on the right, room for messages between.
        expect(g.spanW - g.gatewayW - g.storeW).toBeGreaterThanOrEqual(32);
        expect(g.spanX - g.dotX).toBeGreaterThanOrEqual(12);
        expect(g.spanX + g.spanW).toBeLessThanOrEqual(g.apiX);
        const gateways = Array.from({ length: GATEWAYS_MAX }, (_, i) =>
          gatewayY(g, i, GATEWAYS_MAX),
        );
        for (let i = 1; i < gateways.length; i += 1) {
          // Gateway boxes are 16 px tall.
          expect(gateways[i]! - gateways[i - 1]!).toBeGreaterThanOrEqual(16);
        }
        // Lanes stack without overlapping.
        expect(g.height).toBe(LANES_MAX * g.laneHeight + (LANES_MAX - 1) * g.laneGap);
      }
    });
  }
});
