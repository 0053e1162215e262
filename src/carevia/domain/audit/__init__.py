from carevia.domain.audit.log import INDEXES, AuditEntry, AuditLog

__all__ = ["INDEXES", "AuditEntry", "AuditLog"]
