"""Format conversion only: labels.tsv (hand-typed) -> real_notices.jsonl. No verdict logic."""
import json
PROB = {'dep': ('exclusionary_terms', 'deposit_out_of_range'), 'fee': ('exclusionary_terms', 'fee_above_cap'),
        'win': ('exclusionary_terms', 'short_registration_window'),
        'soon': ('exclusionary_terms', 'auction_too_soon_after_registration'),
        'parcel': ('parcel_details', 'missing_parcel_fields'),
        'depsp': ('implausible_portal_value', 'deposit_above_start_price'),
        'm2': ('implausible_portal_value', 'land_price_per_m2_implausible'),
        'anom': ('anomaly_rank', 'anomaly_rank')}
VERD = {'V': 'violation', 'N': 'no_violation', 'U': 'undecidable'}
with open('real_notices.jsonl', 'w', encoding='utf-8') as out:
    for line in open('labels.tsv', encoding='utf-8'):
        if line.startswith('#') or not line.strip():
            continue
        nid, lot, prob, verdict, reason = line.rstrip('\n').split('\t')
        rule, problem = PROB[prob]
        out.write(json.dumps({'notice_id': int(nid), 'lot': None if lot == '-' else int(lot), 'rule': rule,
                              'problem': problem, 'verdict': VERD[verdict], 'reason': reason},
                             ensure_ascii=False) + '\n')
