from .acp_loss import ACPLoss
from .functional import (cosine, float32, info_nce, margin_ranking, ncos,
                         nt_xent, retrieve_same_speed_partner,
                         variance_covariance)
from .info_nce_loss import InfoNCELoss
from .nt_xent_loss import NTXentLoss
from .rsp_margin_loss import RSPMarginLoss
from .scp_loss import SCPLoss
from .variance_covariance_loss import VarianceCovarianceLoss

__all__ = [
    'float32', 'cosine', 'ncos', 'retrieve_same_speed_partner', 'info_nce',
    'margin_ranking', 'nt_xent', 'variance_covariance', 'ACPLoss', 'SCPLoss',
    'InfoNCELoss', 'RSPMarginLoss', 'NTXentLoss', 'VarianceCovarianceLoss'
]
