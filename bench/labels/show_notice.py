"""Reading aid only: prints notices compactly (times in UTC+7 with weekdays, day counts, deposit/start ratios).
It decides nothing; every verdict in labels.tsv was typed by hand after reading this output.
Usage: python3 show_notice.py ID [ID...] | range START END (index into sorted ids) | posting | owners | grep WORD
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
# ---- extra reading aids for the anomaly_rank pass (print facts only; they decide nothing) ----
# Vietnamese public holidays inside the data's span (statutory days off; Hùng Vương 2026 falls on Sun 26/4 -> Mon 27/4 off)
HOLIDAYS = {dt.date(2025, 4, 30), dt.date(2025, 5, 1), dt.date(2025, 9, 1), dt.date(2025, 9, 2), dt.date(2026, 1, 1),
            dt.date(2026, 4, 27), dt.date(2026, 4, 30), dt.date(2026, 5, 1), dt.date(2026, 9, 1), dt.date(2026, 9, 2)}
HOLIDAYS |= {dt.date(2026, 2, 14) + dt.timedelta(days=i) for i in range(9)}  # Tết Bính Ngọ 14-22/2/2026


def working_days_between(d1, d2):
    """Working days strictly after d1 and strictly before d2 (Mon-Fri, not a holiday)."""
    n, d = 0, d1 + dt.timedelta(days=1)
    while d < d2:
        if d.weekday() < 5 and d not in HOLIDAYS:
            n += 1
        d += dt.timedelta(days=1)
    return n


def posting_line(r):
    li = r['list_item']
    p, a = t(li['publishTime1']), t(li['aucTime'])
    return '%d | pub %s | auc %s | cal %d d | workdays strictly between %d | type %s' % (
        r['id'], fmt(p), fmt(a), (a.date() - p.date()).days, working_days_between(p.date(), a.date()),
        li.get('propertyTypeName'))


def owner_table():
    """Every notice grouped by owner: publication date, organisation, id, title start."""
    by = {}
    for r in rs:
        by.setdefault(r['list_item']['fullname'].strip(), []).append(r)
    for o, lst in sorted(by.items(), key=lambda x: -len(x[1])):
        print('## %s (%d notices)' % (o, len(lst)))
        for r in sorted(lst, key=lambda r: r['list_item']['publishTime1']):
            li = r['list_item']
            print('   %s | %d | %s | %s' % (fmt(t(li['publishTime1'])), r['id'], li['org_name'], li['propertyName'][:90]))


def grep(word):
    """Ids of notices whose texts contain word (case-insensitive), with start prices: to find the same asset."""
    w = word.lower()
    for r in rs:
        txt = json.dumps(r, ensure_ascii=False).lower()
        if w in txt:
            li = r['list_item']
            print(r['id'], fmt(t(li['publishTime1'])), li['fullname'][:50], '|', li['propertyName'][:100],
                  '| starts', [money(p.get('propertyStartPrice')) for p in r['property_info']])

if __name__ == '__main__':
    args = sys.argv[1:]
    if args and args[0] == 'posting':
        for i in sorted(byid): print(posting_line(byid[i]))
        sys.exit()
    if args and args[0] == 'owners':
        owner_table(); sys.exit()
    if args and args[0] == 'grep':
        grep(' '.join(args[1:])); sys.exit()
    if args and args[0] == 'range':
        ids = sorted(byid)[int(args[1]):int(args[2])]
    else:
        ids = [int(x) for x in args]
    for i in ids: show(byid[i])

