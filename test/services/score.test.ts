import {
  combineParts,
  courtyardVisitsPart,
  DEFAULT_SCORE_WEIGHTS,
  formatScore,
  orgsPart,
  parseScoreWeights,
  partText,
  progressPart,
  rankOrder,
  requestsPart,
  scoreExplanation,
} from '../../src/services/score';

describe('parseScoreWeights', () => {
  it('reads the weights named and keeps the defaults of the rest', () => {
    expect(parseScoreWeights('visits=40，orgs=0.5')).toEqual({
      weights: { progress: 30, onTime: 20, requests: 20, visits: 40, orgs: 0.5 },
      problems: [],
    });
    expect(parseScoreWeights('').weights).toEqual(DEFAULT_SCORE_WEIGHTS);
  });

  it('lists every bad item', () => {
    expect(parseScoreWeights('progress=abc,visits,bonus=5').problems).toEqual([
      '"progress=abc": the weight must be a number ≥ 0, e.g. progress=20',
      '"visits": the weight must be a number ≥ 0, e.g. visits=20',
      '"bonus=5": unknown part "bonus"; the parts are progress, onTime, requests, visits, orgs',
    ]);
  });
});

describe('combineParts', () => {
  it('weighs the parts', () => {
    const s = combineParts({ progress: 80, onTime: 50, requests: 100, visits: 0, orgs: 100 }, DEFAULT_SCORE_WEIGHTS);
    expect(s.score).toBe((30 * 80 + 20 * 50 + 20 * 100 + 0 + 10 * 100) / 100);
    expect(s.unmeasured).toEqual([]);
  });

  it('shares the weight of a part with nothing to measure among the others, and shows that part as unmeasured', () => {
    const without = combineParts({ progress: 80, onTime: 50, visits: 0, orgs: 100 }, DEFAULT_SCORE_WEIGHTS);
    expect(without.score).toBeCloseTo((30 * 80 + 20 * 50 + 0 + 10 * 100) / 80, 10);
    expect(without.unmeasured).toEqual(['requests']);
    // Never a full bar, never the score itself: no value at all.
    expect(without.parts.requests).toBeNull();
    expect(partText(without, 'requests')).toBe('—（本期无）');
  });

  it('gives no score when nothing weighted was measured', () => {
    expect(combineParts({ orgs: 100 }, { ...DEFAULT_SCORE_WEIGHTS, orgs: 0 }).score).toBeNull();
    expect(combineParts({}, DEFAULT_SCORE_WEIGHTS).score).toBeNull();
  });
});

describe('the parts', () => {
  it('gives half of the request part for answering in time and half for closing', () => {
    expect(requestsPart(4, 2, 4)).toBe(75);
    expect(requestsPart(0, 0, 0)).toBeUndefined();
  });

  it('gives a third for each organisation, one volunteer team being enough', () => {
    expect(orgsPart(true, false, 1)).toBeCloseTo(66.667, 2);
    expect(orgsPart(true, true, 0)).toBeCloseTo(66.667, 2);
  });

  it('scores a courtyard without projects 0 in 项目进度, not full marks', () => {
    expect(progressPart([])).toBe(0);
    expect(progressPart([100, 20])).toBe(60);
  });

  it('counts a courtyard’s half day per week against 4 hours, capped at 100 %', () => {
    expect(courtyardVisitsPart([2])).toBe(50);
    expect(courtyardVisitsPart([9])).toBe(100);
    // A month: the mean of its weeks; hours beyond 4 in one week do not make up for another.
    expect(courtyardVisitsPart([8, 0, 4, 2])).toBe(62.5);
    expect(courtyardVisitsPart([])).toBeUndefined();
  });
});

describe('rankOrder', () => {
  it('ranks scored rows best first, equal scores sharing a rank, and rows without a score after them', () => {
    const rows = rankOrder([
      { name: '乙', score: 50 },
      { name: '丙', score: null },
      { name: '甲', score: 50 },
      { name: '丁', score: 70 },
    ]);
    expect(rows.map((r) => [r.name, r.rank])).toEqual([
      ['丁', 1],
      ['甲', 2],
      ['乙', 2],
      ['丙', 4],
    ]);
    expect(formatScore(null)).toBe('无数据');
    expect(formatScore(50)).toBe('50.0');
  });
});

describe('scoreExplanation', () => {
  it('explains the formula in Chinese with the weights in force', () => {
    expect(scoreExplanation()).toContain('默认权重如下');
    expect(scoreExplanation()).toContain('- 项目进度（30）');
    const text = scoreExplanation({ ...DEFAULT_SCORE_WEIGHTS, visits: 40 });
    expect(text).toContain('现行权重如下');
    expect(text).toContain('- 干部下沉（40）：楼院按周计，分包干部本周在本楼院登记的时长对照半天（4 小时）');
    expect(text).toContain('街道得分为所辖各楼院得分的平均数');
  });
});
