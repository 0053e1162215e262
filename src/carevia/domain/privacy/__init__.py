from carevia.domain.privacy.service import PersonalData

__all__ = ["PersonalData"]
