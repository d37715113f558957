from django.urls import path

from .views import account as account_views
from .views import login as login_views
from .views import managers, registration_admin, registration_employee, registration_referent, sim_association
from .views import password as password_views
from .views import recovery as recovery_views

app_name = "accounts"
urlpatterns = [
    path("accedi/", login_views.login, name="login"),
    path("esci/", login_views.logout, name="logout"),
    # Employee registration (SPEC F-REG-3)
    path("registrazione/dipendente/", registration_employee.start, name="register_employee"),
    path("registrazione/dipendente/codice/", registration_employee.code, name="register_employee_code"),
    path("registrazione/dipendente/sim/", registration_employee.sim_secret, name="register_employee_sim"),
    path("registrazione/dipendente/password/", registration_employee.password, name="register_employee_password"),
    # Associa SIM (SPEC F-ACC-2) and the managers' log (F-ACC-3)
    path("sim-associate/", sim_association.associations, name="sim_associations"),
    path("sim-associate/conferma/", sim_association.confirm, name="sim_association_confirm"),
    path("sim-associate/<int:line_id>/dissocia/", sim_association.disassociate, name="sim_disassociate"),
    path("associazioni-sim/", sim_association.association_log, name="sim_association_log"),
    # User Admin registration (SPEC F-REG-1) and first access by activation link (admins and Telco Managers)
    path("registrazione/azienda/", registration_admin.register, name="register_admin"),
    path("registrazione/azienda/inviata/", registration_admin.sent, name="register_admin_sent"),
    path("attivazione/<str:token>/", registration_admin.activate, name="activate"),
    # Telco Managers (SPEC F-REG-2, F-PWD-2): the User Admin only
    path("manager/", managers.manager_list, name="managers"),
    path("manager/nuovo/", managers.manager_create, name="manager_create"),
    path("manager/<int:manager_id>/riemissione/", managers.manager_reissue, name="manager_reissue"),
    path("manager/<int:manager_id>/elimina/", managers.manager_delete, name="manager_delete"),
    # Password recovery (SPEC F-PWD-1…4), change (F-PWD-5) and the user's own account (F-ACC-1)
    path("password-dimenticata/", recovery_views.start, name="password_recovery"),
    path("password-dimenticata/domanda/", recovery_views.question, name="password_recovery_question"),
    path("password-dimenticata/codice/", recovery_views.code, name="password_recovery_code"),
    path("password-dimenticata/nuova/", recovery_views.password, name="password_recovery_password"),
    path("gestione-utente/", account_views.account, name="account"),
    path("gestione-utente/password/", password_views.change, name="password_change"),
    path("gestione-utente/elimina/", account_views.delete, name="account_delete"),
    # Referente Aziendale registration, TRE heritage (SPEC F-REG-4)
    path("registrazione/referente/", registration_referent.start, name="register_referent"),
    path("registrazione/referente/codice/", registration_referent.code, name="register_referent_code"),
]
