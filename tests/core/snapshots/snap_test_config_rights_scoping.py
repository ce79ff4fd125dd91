# -*- coding: utf-8 -*-
# snapshottest: v1 - https://goo.gl/zC4yUc
from __future__ import unicode_literals

from snapshottest import Snapshot


snapshots = Snapshot()

snapshots['test_module_configurations_answers_anonymously_with_exposed_front_end_rows 1'] = {
    'moduleConfigurations': [
        {
            'config': '{"claimForm": {"showAdjustment": true}}',
            'controls': [
                {
                    'field': 'claim.guaranteeId',
                    'usage': 'H'
                }
            ],
            'layer': 'fe',
            'module': 'claim'
        }
    ]
}
