"""API routes of the account flows, mounted at /api/v1/account/ (one block per flow)."""

from django.urls import path

from . import account, managers, registration_admin, registration_employee, registration_referent, sim_association
from . import password as password_api
from . import recovery as recovery_api

urlpatterns = [
    path("registration/employee/start/", registration_employee.StartView.as_view(), name="register_employee_start"),
    path("registration/employee/code/", registration_employee.CodeView.as_view(), name="register_employee_code"),
    path("registration/employee/resend/", registration_employee.ResendView.as_view(), name="register_employee_resend"),
    path("registration/employee/sim/", registration_employee.SimSecretView.as_view(), name="register_employee_sim"),
    path(
        "registration/employee/password/",
        registration_employee.PasswordView.as_view(),
        name="register_employee_password",
    ),
    path("sims/", sim_association.AssociatedSimsView.as_view(), name="sims"),
    path("sims/confirm/", sim_association.ConfirmView.as_view(), name="sims_confirm"),
    path("sims/<int:line_id>/", sim_association.DisassociateView.as_view(), name="sims_disassociate"),
    path("sim-associations/", sim_association.AssociationLogView.as_view(), name="sim_association_log"),
    path("registration/admin/", registration_admin.RegisterView.as_view(), name="register_admin"),
    path("activation/", registration_admin.ActivateView.as_view(), name="activate"),
    path("managers/", managers.ManagerListView.as_view(), name="managers"),
    path("managers/<int:manager_id>/", managers.ManagerDetailView.as_view(), name="manager_detail"),
    path("managers/<int:manager_id>/reissue/", managers.ManagerReissueView.as_view(), name="manager_reissue"),
    path("recovery/start/", recovery_api.StartView.as_view(), name="recovery_start"),
    path("recovery/answer/", recovery_api.AnswerView.as_view(), name="recovery_answer"),
    path("recovery/resend/", recovery_api.ResendView.as_view(), name="recovery_resend"),
    path("recovery/code/", recovery_api.CodeView.as_view(), name="recovery_code"),
    path("recovery/password/", recovery_api.PasswordView.as_view(), name="recovery_password"),
    path("password/", password_api.PasswordChangeView.as_view(), name="password_change"),
    path("registration/referent/start/", registration_referent.StartView.as_view(), name="register_referent_start"),
    path("registration/referent/code/", registration_referent.CodeView.as_view(), name="register_referent_code"),
    path("delete/", account.AccountDeleteView.as_view(), name="account_delete"),
]
