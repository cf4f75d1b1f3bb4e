# MMAction2's stock runtime + this plugin's registration.
_base_ = 'mmaction::_base_/default_runtime.py'

custom_imports = dict(imports=['ascnet_mm'], allow_failed_imports=False)
