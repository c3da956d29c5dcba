import { deserialize, ObjectId, type Document } from 'bson';
import { Query } from 'mingo';
import { Catalog } from '../../../src/db/standin/catalog';
import { pipelineInput } from '../../../src/db/standin/commands/aggregate';
import { projector } from '../../../src/db/standin/commands/find';
import { aggregator } from '../../../src/db/standin/mingo';

describe('find projections', () => {
  const docs: Document[] = [
    { _id: new ObjectId('0300000000000000000000aa'), street: new ObjectId('0100000000000000000000aa'), name: '幸福里', orgs: { party: { status: '已建' } }, tags: ['a', 'b'], none: null },
    { name: '无编号', extra: 1 },
    { _id: 7, items: [{ code: 'a', n: 1 }, { code: 'b', n: 2 }], name: 'x' },
  ];
  const projections: Document[] = [
    { name: 1, street: 1 },
    { street: true, name: 1, _id: 0 },
    { none: 1, missing: 1, _id: 1 },
    { tags: 1, orgs: 1 },
    { 'orgs.party.status': 1 },
    { name: 0 },
    { items: { $elemMatch: { code: 'b' } } },
    { items: { $slice: 1 }, name: 1 },
  ];

  it('returns what mingo projects, plain inclusions in the document order with _id first (as mongod does)', () => {
    for (const projection of projections) {
      const project = projector({}, projection);
      for (const doc of docs) {
        const expected = new Query({}).find([doc], projection).next() as Document;
        const got = deserialize(project(doc), { promoteValues: true });
        expect({ projection, got }).toEqual({ projection, got: expected });
      }
    }
    expect(Object.keys(deserialize(projector({}, { name: 1, street: 1 })(docs[0]!)))).toEqual(['_id', 'street', 'name']);
    expect(Object.keys(deserialize(projector({}, { none: 1, name: 1, _id: 0 })(docs[0]!)))).toEqual(['name', 'none']);
  });

  it('applies a positional projection with the query filter', () => {
    const got = deserialize(projector({ 'items.code': 'b' }, { 'items.$': 1 })(docs[2]!));
    expect(got).toEqual({ _id: 7, items: [{ code: 'b', n: 2 }] });
  });

  it('applies a leading $project of an aggregation as mingo would', () => {
    const coll = new Catalog().ensure('db', 'docs');
    docs.forEach((d, i) => coll.insert({ _id: i, ...d, _id2: d._id ?? null }));
    for (const projection of projections) {
      const pipeline = [{ $match: { name: { $exists: true } } }, { $project: projection }, { $sort: { _id2: 1 } }];
      const input = pipelineInput(coll, pipeline);
      const got = aggregator(input.rest).run([...input.source]);
      const stored = coll.docs.rids().map((rid) => coll.decode(rid)!);
      expect({ projection, got }).toEqual({ projection, got: aggregator(pipeline).run(stored) });
    }
  });
});
