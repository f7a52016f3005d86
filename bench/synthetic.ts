/**
 * Seeded synthetic enterprise-years for the benchmarks: every one carries the facts of the policy's four formula
 * incentives (measure 10's pool reward and R&D-growth reward from the enterprise's facts, measure 16's equipment
 * project and measure 18's plot-ratio project as claims), spread across both sides of every threshold and cap.
 * Values are whole yuan / whole m² so that every engine, including float-based ones, computes exact fen.
 */
import { seededRandom } from '../src/enterprises/uscc.ts';

const YUAN = 100;
const WAN = 10_000 * YUAN;

export function syntheticFacts(n: number, seed = 20200520): Array<Record<string, unknown>> {
  const r = seededRandom(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const out: Array<Record<string, unknown>> = [];
  for (let i = 0; i < n; i++) {
    const land = 2 * int(1000, 20000); // even m², so land × 1.5 is whole
    const floor = int(land, land * 3);
    const rdPrior = int(0, 3000) * WAN + int(0, 9999) * YUAN;
    out.push({
      year: 2020,
      enterprise: { name: `合成企业${i}` },
      facts: {
        industryClass: pick(['leading', 'highTech', 'other']),
        annualSales: int(500, 50_000) * WAN,
        inMunicipalHighTechPool: r() < 0.5,
        municipalHighTechPoolYear: int(2016, 2021),
        nationalHighTechEnterprise: r() < 0.3,
        taxableIncome: int(0, 5000) * WAN + int(0, 9999) * YUAN,
        rdExpense: Math.max(0, rdPrior + (int(-50, 8000) * WAN) / 10),
        rdExpensePriorYear: rdPrior,
        rdSuperDeductionYears: pick([[2019, 2020], [2020], [2018, 2019, 2020], []]),
      },
      claims: [
        { incentive: 'equipment-investment', item: `设备项目${i}`, facts: { equipmentInvestment: int(1000, 12_000) * WAN } },
        {
          incentive: 'plot-ratio-floor-area',
          item: `地块${i}`,
          facts: {
            landProjectType: pick(['industrialManufacturing', 'productiveRd', 'other']),
            compliesWithPlanning: r() < 0.9,
            landArea: land,
            floorArea: floor,
            plotRatio: floor / land,
            newIndustrialFloorArea: int(0, floor),
          },
        },
      ],
    });
  }
  return out;
}
