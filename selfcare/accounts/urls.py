from django.urls import path

from .views import login as login_views
from .views import registration_employee, sim_association

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
]
