# -*- coding: utf-8 -*-
# snapshottest: v1 - https://goo.gl/zC4yUc
from __future__ import unicode_literals

from snapshottest import Snapshot


snapshots = Snapshot()

snapshots['test_medical_items_response_shape 1'] = {
    'medicalItemsStr': {
        'edges': [
            {
                'node': {
                    'code': 'GAUZ',
                    'maximumAmount': None,
                    'name': 'Gauze roll',
                    'price': '1.20',
                    'quantity': None,
                    'requiresPreauthorization': False
                }
            },
            {
                'node': {
                    'code': 'INSU',
                    'maximumAmount': '3.00',
                    'name': 'Insulin glargine',
                    'price': '38.50',
                    'quantity': '1.00',
                    'requiresPreauthorization': True
                }
            }
        ],
        'totalCount': 2
    }
}
