"""Reading aid only: prints notices compactly (times in UTC+7 with weekdays, day counts, deposit/start ratios).
It decides nothing; every verdict in labels.tsv was typed by hand after reading this output.
Usage: python3 show_notice.py ID [ID...]   or   python3 show_notice.py range START END (index into sorted ids)
"""
import json, sys, datetime as dt
TZ = dt.timezone(dt.timedelta(hours=7))
WD = ['Mon','Tue','Wed','Thu','Fri','Sat','Sun']
rs = [json.loads(l) for l in open('/work/shared/data/dgts/auction_notices_2025-05_2026-07.jsonl')]
byid = {r['id']: r for r in rs}
import random
B = set(random.Random(20261208).sample(sorted(byid), 60)) | {593497, 593639, 444235, 488658, 593566, 593515}
def t(ms):
    if ms is None: return None
    return dt.datetime.fromtimestamp(ms/1000, TZ)
def fmt(d):
    return d.strftime('%Y-%m-%d %a %H:%M') if d else 'None'
def money(x):
    return '{:,}'.format(x) if isinstance(x,(int,float)) else str(x)
def show(r, maxlen=1500):
    li = r['list_item']
    print('='*100)
    print('[PART B]' if r['id'] in B else '', 'ID', r['id'], '| type', li['propertyTypeId'], li.get('propertyTypeName'), '| owner:', li['fullname'], '| org:', li['org_name'])
    print('TITLE:', li['propertyName'][:maxlen])
    p1, s, e, a = [t(li[k]) for k in ('publishTime1','aucRegTimeStart','aucRegTimeEnd','aucTime')]
    print('pub', fmt(p1), '| regStart', fmt(s), '| regEnd', fmt(e), '| auc', fmt(a))
    if s and e:
        print('  window raw days (end.date-start.date) =', (e.date()-s.date()).days, '| end weekday', WD[e.weekday()])
    if e and a:
        print('  auction.date - regEnd.date =', (a.date()-e.date()).days)
    for i, p in enumerate(r['property_info']):
        sp, d, u = p.get('propertyStartPrice'), p.get('deposit'), p.get('depositUnit')
        ratio = ''
        if sp and d:
            ratio = ('%.4f%% (unit %%)' % d) if u == 1 else ('%.4f%%' % (100*d/sp)) if u == 0 else 'unit %s' % u
        print(' -- LOT', i, '| type', p.get('propertyTypeId'), '| amount', repr(p.get('propertyAmount')), '| start', money(sp), '| deposit', money(d), 'unit', u, '|', ratio, '| fileCost', money(p.get('fileCost')))
        if p['propertyName'] != li['propertyName'] or len(r['property_info'])>1:
            print('   name:', p['propertyName'][:maxlen])
        for k in ('propertyPlace','propertyQuality','detail'):
            v = (p.get(k) or '').strip()
            if v: print('   %s: %s' % (k, v[:maxlen].replace('\n',' / ')))
    print(' files:', [f['fileName'] for f in r['detail'].get('listFile') or []])
if __name__ == '__main__':
    args = sys.argv[1:]
    if args and args[0] == 'range':
        ids = sorted(byid)[int(args[1]):int(args[2])]
    else:
        ids = [int(x) for x in args]
    for i in ids: show(byid[i])
