import {
  combineParts,
  DEFAULT_SCORE_WEIGHTS,
  orgsPart,
  parseScoreWeights,
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

  it('shares the weight of a part with nothing to measure among the others, so it neither helps nor hurts', () => {
    const without = combineParts({ progress: 80, onTime: 50, visits: 0, orgs: 100 }, DEFAULT_SCORE_WEIGHTS);
    expect(without.score).toBeCloseTo((30 * 80 + 20 * 50 + 0 + 10 * 100) / 80, 10);
    expect(without.unmeasured).toEqual(['requests']);
    // Shown as the score itself: counting it at that value changes nothing.
    expect(without.parts.requests).toBe(without.score);
    expect(combineParts({ ...without.parts }, DEFAULT_SCORE_WEIGHTS).score).toBeCloseTo(without.score, 10);
  });

  it('scores 0 when nothing weighted was measured', () => {
    expect(combineParts({ orgs: 100 }, { ...DEFAULT_SCORE_WEIGHTS, orgs: 0 }).score).toBe(0);
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
});

describe('scoreExplanation', () => {
  it('explains the formula in Chinese with the weights in force', () => {
    expect(scoreExplanation()).toContain('默认权重如下');
    expect(scoreExplanation()).toContain('- 项目进度（30）');
    const text = scoreExplanation({ ...DEFAULT_SCORE_WEIGHTS, visits: 40 });
    expect(text).toContain('现行权重如下');
    expect(text).toContain('- 干部下沉（40）：分包干部每周在楼院不少于半天（4 小时）');
    expect(text).toContain('街道得分为所辖各楼院得分的平均数');
  });
});
