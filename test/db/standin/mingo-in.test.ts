import { ObjectId } from 'bson';
import { Query as StockQuery } from 'mingo';
import { Query } from '../../../src/db/standin/mingo';

describe('$in and $nin', () => {
  const a = new ObjectId('0300000000000000000000aa');
  const b = new ObjectId('0300000000000000000000bb');
  const docs = [
    { _id: 1, courtyard: new ObjectId(a.toHexString()), tags: ['院落', '加装电梯'], name: 'Alpha' },
    { _id: 2, courtyard: b, tags: [], name: 'beta' },
    { _id: 3, courtyard: null, tags: ['停车'], name: 'Gamma' },
    { _id: 4, tags: [['院落']], name: 'delta' },
    { _id: 5, courtyard: [b, a], owner: { id: 7 }, name: 7 },
  ];
  const ids = (filter: Record<string, unknown>) => docs.filter((d) => new Query(filter).test(d)).map((d) => d._id);

  it('matches ObjectIds by value, array fields by any element, and a missing or null field by null', () => {
    expect(ids({ courtyard: { $in: [a] } })).toEqual([1, 5]);
    expect(ids({ courtyard: { $in: [new ObjectId(b.toHexString())] } })).toEqual([2, 5]);
    expect(ids({ tags: { $in: ['院落'] } })).toEqual([1]);
    expect(ids({ tags: { $in: [['院落']] } })).toEqual([4]);
    expect(ids({ courtyard: { $in: [null] } })).toEqual([3, 4]);
    expect(ids({ name: { $in: [/^a/i, 7] } })).toEqual([1, 5]);
    expect(ids({ owner: { $in: [{ id: 7 }] } })).toEqual([5]);
    expect(ids({ courtyard: { $in: [] } })).toEqual([]);
    expect(ids({ courtyard: { $nin: [a, null] } })).toEqual([2]);
    expect(ids({ courtyard: { $nin: [] } })).toEqual([1, 2, 3, 4, 5]);
  });

  it("decides every case as mingo's own operators do", () => {
    const lists: unknown[][] = [[a], [b, a], [null], [null, b], ['院落', '停车'], [['院落']], [/^g/i, 'beta'], [{ id: 7 }], [], [7, 'delta']];
    for (const field of ['courtyard', 'tags', 'name', 'owner', 'owner.id', 'missing']) {
      for (const list of lists) {
        for (const op of ['$in', '$nin']) {
          const filter = { [field]: { [op]: list } };
          const stock = new StockQuery(filter, { idKey: '_id', useStrictMode: true });
          expect({ filter, ids: ids(filter) }).toEqual({ filter, ids: docs.filter((d) => stock.test(d)).map((d) => d._id) });
        }
      }
    }
  });
});
