import { Catalog } from '../../../src/db/standin/catalog';
import { collectionResolver } from '../../../src/db/standin/commands/aggregate';
import { aggregator } from '../../../src/db/standin/mingo';

describe('$lookup', () => {
  const catalog = new Catalog();
  const requests = catalog.ensure('db', 'requests');
  for (let i = 0; i < 1000; i++) requests.insert({ _id: i, courtyard: `C${i % 100}`, title: `r${i}` });
  const courtyards = [
    { _id: 'C7', name: '幸福里' },
    { _id: 'C42', name: '光明巷' },
    { _id: 'C999', name: '无人院' },
  ];
  const pipeline = [
    { $lookup: { from: 'requests', localField: '_id', foreignField: 'courtyard', as: 'requests' } },
    { $project: { name: 1, n: { $size: '$requests' } } },
  ];
  const expected = [
    { _id: 'C7', name: '幸福里', n: 10 },
    { _id: 'C42', name: '光明巷', n: 10 },
    { _id: 'C999', name: '无人院', n: 0 },
  ];

  it('joins the same with and without an index on the foreign field', () => {
    const before = requests.stats.docsExamined;
    expect(aggregator(pipeline, collectionResolver(catalog, 'db')).run(courtyards)).toEqual(expected);
    const scanned = requests.stats.docsExamined - before;

    requests.addIndex({ key: { courtyard: 1 }, name: 'courtyard_1' });
    const start = requests.stats.docsExamined;
    expect(aggregator(pipeline, collectionResolver(catalog, 'db')).run(courtyards)).toEqual(expected);
    expect(requests.stats.docsExamined - start).toBe(20);
    expect(scanned).toBe(1000);
  });
});
