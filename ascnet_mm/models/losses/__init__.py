from .acp_loss import ACPLoss
from .functional import (info_nce, margin_ranking, ncos, nt_xent,
                         retrieve_same_speed_partner)
from .info_nce_loss import InfoNCELoss
from .nt_xent_loss import NTXentLoss
from .rsp_margin_loss import RSPMarginLoss
from .scp_loss import SCPLoss

__all__ = [
    'ncos', 'retrieve_same_speed_partner', 'info_nce', 'margin_ranking',
    'nt_xent', 'ACPLoss', 'SCPLoss', 'InfoNCELoss', 'RSPMarginLoss',
    'NTXentLoss'
]
